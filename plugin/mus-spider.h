#ifndef MUS_SPIDER_H
#define MUS_SPIDER_H

/* The competence spider of one employee: a radar chart with one axis per
   competence (clockwise from the top), levels 0..5 from the centre out,
   the employee's levels as one polygon and, when given, the leader's as a
   second one beside it. Drawn with cairo as a PNG (for every mail client)
   and written as SVG text with the same layout (for the HTML card).

   Level 0 (not relevant) is a vertex at the centre, marked with a ring
   near the centre in the side's colour and a note under the axis label.
   Every text is passed in by the caller; invalid UTF-8 becomes U+FFFD,
   control characters become spaces, long labels wrap onto at most three
   lines and are shortened with an ellipsis. The SVG is self-contained:
   no scripts, no style sheet, no external references, every text
   escaped. */

#include "buffer.h"

#define MUS_SPIDER_AXES_MIN 3
#define MUS_SPIDER_AXES_MAX 8
#define MUS_SPIDER_LEVEL_MAX 5
#define MUS_SPIDER_SIZE_MIN 200
#define MUS_SPIDER_SIZE_MAX 2000

/* the sides' colours, as 0xRRGGBB */
#define MUS_SPIDER_EMPLOYEE_RGB 0x2a6f97
#define MUS_SPIDER_LEADER_RGB 0xd1495b

struct mus_spider {
	const char *title;
	unsigned int axis_count;
	/* axis_count labels and levels each; leader NULL when the leader
	   has given no levels */
	const char *const *labels;
	const unsigned int *employee, *leader;
	/* the legend's words, e.g. "Medarbejder", "Leder", "ikke relevant";
	   leader_name is only shown with leader levels */
	const char *employee_name, *leader_name, *not_relevant;
};

/* Where the chart of a size x size picture has its centre, and the radius
   of level 5; a level-l vertex of axis i lies at radius * l / 5 from the
   centre, at angle -pi/2 + 2 pi i / axis_count. */
void mus_spider_geometry(unsigned int size, double *cx_r, double *cy_r,
			 double *radius_r);

/* Append the chart as a size x size PNG (RGB, no alpha) to png, a buffer
   that can grow (a PNG of 640 x 640 is some 40-70 kB). Returns 0, or -1
   with the problem in error_r (axes outside 3..8, a level above 5, a
   missing text, a size outside 200..2000, a cairo failure) and png
   unchanged. */
int mus_spider_png(const struct mus_spider *spider, unsigned int size,
		   buffer_t *png, const char **error_r);

/* Append the chart as one <svg> element of size x size to svg. Returns 0,
   or -1 as mus_spider_png() does, with svg unchanged. Polygons carry
   class="employee" / "leader", every vertex is a
   <circle class="vertex SIDE" data-axis="i" data-level="l">. */
int mus_spider_svg(const struct mus_spider *spider, unsigned int size,
		   string_t *svg, const char **error_r);

#endif
