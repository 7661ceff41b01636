/* A small well-formedness check of generated markup. */

#include "lib.h"
#include "array.h"
#include "unichar.h"
#include "mus-test-xml.h"

#include <ctype.h>

#define MUS_TEST_XML_DEPTH 32

static const char *mus_test_xml_entity(const char *p)
{
	static const char *const entities[] = {
		"&amp;", "&lt;", "&gt;", "&quot;", "&#39;",
	};

	for (unsigned int i = 0; i < N_ELEMENTS(entities); i++) {
		if (str_begins(p, entities[i]))
			return p + strlen(entities[i]);
	}
	return NULL;
}

/* p is just after "<name": skip the attributes up to '>' or "/>" */
static const char *mus_test_xml_attrs(const char *p, bool *self_closed_r)
{
	while (*p != '\0' && *p != '>' && !str_begins(p, "/>")) {
		if (*p == '=') {
			char quote = p[1];
			const char *end;

			if (quote != '"' && quote != '\'')
				return NULL;
			end = strchr(p + 2, quote);
			if (end == NULL)
				return NULL;
			for (const char *q = p + 2; q < end; q++) {
				if (*q == '<')
					return NULL;
				if (*q == '&' && mus_test_xml_entity(q) == NULL)
					return NULL;
			}
			p = end + 1;
			continue;
		}
		p++;
	}
	if (*p == '\0')
		return NULL;
	*self_closed_r = *p == '/';
	return *p == '/' ? p + 2 : p + 1;
}

const char *mus_test_xml_problem(const char *text)
{
	const char *stack[MUS_TEST_XML_DEPTH];
	unsigned int depth = 0;
	const char *p = text;

	if (!uni_utf8_str_is_valid(text))
		return "not valid UTF-8";
	while (*p != '\0') {
		if (*p == '&') {
			p = mus_test_xml_entity(p);
			if (p == NULL)
				return "a bare '&'";
			continue;
		}
		if (*p != '<') {
			if (*p == '>')
				return "a bare '>'";
			p++;
			continue;
		}
		if (str_begins(p, "<!DOCTYPE")) {
			p = strchr(p, '>');
			if (p == NULL)
				return "unterminated DOCTYPE";
			p++;
			continue;
		}
		bool closing = p[1] == '/', self_closed = FALSE;
		const char *name = p + (closing ? 2 : 1), *end = name;

		while (isalnum((unsigned char)*end) || *end == '-')
			end++;
		if (end == name)
			return t_strdup_printf("a bare '<' at %.20s", p);
		name = t_strdup_until(name, end);
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0 ||
			    *end != '>')
				return t_strdup_printf("</%s> closes nothing open", name);
			depth--;
			p = end + 1;
			continue;
		}
		p = mus_test_xml_attrs(end, &self_closed);
		if (p == NULL)
			return t_strdup_printf("<%s> has a broken attribute", name);
		if (self_closed)
			continue;
		if (depth == MUS_TEST_XML_DEPTH)
			return "nested too deeply";
		stack[depth++] = name;
	}
	return depth == 0 ? NULL :
		t_strdup_printf("<%s> is never closed", stack[depth - 1]);
}
