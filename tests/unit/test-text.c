/* Unit tests of the control character checks of outside text. */

#include "lib.h"
#include "mus-text.h"
#include "mus-test.h"

void test_text_checks(void)
{
	static const struct {
		const char *value, *allowed;
		unsigned char expected;
	} cases[] = {
		{ "", "", 0 },
		{ "Søren Ærø", "", 0 },
		{ "a\tb", "", '\t' },
		{ "a\tb", "\t", 0 },
		{ "a\tb\nc", "\t", '\n' },
		{ "a\tb\nc", "\t\n", 0 },
		{ "a\r\nb", "\t\n", '\r' },
		{ "del\x7f", "\t\n", 0x7f },
		{ "bell\a and tab\t", "\t", '\a' },
		{ "\x1f", "", 0x1f },
		{ " ~", "", 0 },
	};
	char blanked[] = "a\rb\tc\nd\x7f" "e\x01 f";

	mus_test_begin("text: the first control character not allowed");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		unsigned char c = mus_text_control_char(cases[i].value,
							cases[i].allowed);

		mus_test_check(c == cases[i].expected,
			       t_strdup_printf("case %u: 0x%02x, expected 0x%02x",
					       i, c, cases[i].expected),
			       __FILE__, __LINE__);
	}
	mus_test_end();

	mus_test_begin("text: control characters blanked to spaces");
	mus_text_blank_controls(blanked);
	test_assert_strcmp(blanked, "a b c d e  f");
	mus_test_end();
}
