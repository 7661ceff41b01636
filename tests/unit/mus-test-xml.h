#ifndef MUS_TEST_XML_H
#define MUS_TEST_XML_H

/* Checks of generated markup (SVG, HTML fragments) without a parser
   library: what the unit tests need to call it well-formed. */

/* Returns NULL when text is valid UTF-8 whose tags are balanced (every
   <name ...> closed by </name> in order, or self-closed), whose
   attribute values are quoted, and whose every '&' starts one of the
   entities &amp; &lt; &gt; &quot; &#39;. Else the first problem, on the
   data stack. */
const char *mus_test_xml_problem(const char *text);

#endif
