#ifndef MUS_TEXT_H
#define MUS_TEXT_H

/* Control characters in text from outside (names, cards, plan text,
   settings): each caller says which it allows and names the problem in
   its own words. */

/* The first control character (below 0x20, or DEL) of value that is not
   in allowed (e.g. "\t", "\t\n", or ""), or 0 if there is none. */
unsigned char mus_text_control_char(const char *value, const char *allowed);

/* Every control character of text (newlines too) becomes a space: one
   line that a stray CR or TAB cannot break. */
void mus_text_blank_controls(char *text);

#endif
