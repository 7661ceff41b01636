/* Control characters in text from outside. */

#include "lib.h"
#include "mus-text.h"

static bool mus_text_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

unsigned char mus_text_control_char(const char *value, const char *allowed)
{
	for (const unsigned char *p = (const unsigned char *)value;
	     *p != '\0'; p++) {
		if (mus_text_is_control(*p) && strchr(allowed, *p) == NULL)
			return *p;
	}
	return 0;
}

void mus_text_blank_controls(char *text)
{
	for (char *p = text; *p != '\0'; p++) {
		if (mus_text_is_control((unsigned char)*p))
			*p = ' ';
	}
}
