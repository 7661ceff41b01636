/* The competence spider (cairo). One layout draws on a canvas that is
   either a cairo context (PNG) or SVG text, so both pictures agree. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "unichar.h"
#include "mus-report-html.h"
#include "mus-spider.h"

#include <math.h>
#include <cairo.h>

/* geometry for a 640 x 640 picture; everything scales with the size */
#define MUS_SPIDER_BASE 640.0
#define MUS_SPIDER_TITLE_FONT 22.0
#define MUS_SPIDER_TITLE_Y 40.0
#define MUS_SPIDER_FONT 13.0
#define MUS_SPIDER_LINE 16.0
#define MUS_SPIDER_LEVEL_FONT 11.0
#define MUS_SPIDER_LABEL_GAP 14.0
#define MUS_SPIDER_DOT 4.5
#define MUS_SPIDER_RING 4.0
#define MUS_SPIDER_LEADER_RING 7.0
#define MUS_SPIDER_LEGEND_BOTTOM 28.0
#define MUS_SPIDER_LEGEND_X 40.0
#define MUS_SPIDER_LEGEND_STEP 200.0
/* the centre and the radius of level 5, as shares of the size */
#define MUS_SPIDER_CENTRE_Y 0.515
#define MUS_SPIDER_RADIUS 0.25

/* characters per label line, lines per label, and of the other texts */
#define MUS_SPIDER_LABEL_WIDTH 16
#define MUS_SPIDER_LABEL_LINES 3
#define MUS_SPIDER_TITLE_WIDTH 50
#define MUS_SPIDER_NAME_WIDTH 22

#define MUS_SPIDER_WHITE 0xffffff
#define MUS_SPIDER_TEXT_RGB 0x222222
#define MUS_SPIDER_MUTED_RGB 0x777777
#define MUS_SPIDER_GRID_RGB 0xcccccc
#define MUS_SPIDER_OUTER_RGB 0x999999
#define MUS_SPIDER_FILL_ALPHA 0.22
#define MUS_SPIDER_NONE 0xffffffffU

#define MUS_SPIDER_ELLIPSIS 0x2026

enum mus_spider_anchor {
	MUS_SPIDER_START,
	MUS_SPIDER_MIDDLE,
	MUS_SPIDER_END,
};

struct mus_spider_canvas;

/* svg_attrs are extra attributes of the SVG element (class, data-),
   which cairo has no use for */
struct mus_spider_canvas_vfuncs {
	void (*polygon)(struct mus_spider_canvas *canvas, const double *xy,
			unsigned int count, unsigned int stroke_rgb,
			double width, bool dashed, unsigned int fill_rgb,
			double fill_alpha, const char *svg_attrs);
	void (*line)(struct mus_spider_canvas *canvas, double x1, double y1,
		     double x2, double y2, unsigned int rgb, double width);
	void (*circle)(struct mus_spider_canvas *canvas, double x, double y,
		       double r, unsigned int stroke_rgb, double width,
		       unsigned int fill_rgb, const char *svg_attrs);
	void (*text)(struct mus_spider_canvas *canvas, double x, double y,
		     enum mus_spider_anchor anchor, double font_size,
		     bool bold, unsigned int rgb, const char *text);
};

struct mus_spider_canvas {
	const struct mus_spider_canvas_vfuncs *v;
	cairo_t *cr;
	string_t *svg;
};

/* --- text --- */

static bool mus_spider_char_is_control(unichar_t chr)
{
	return chr < 0x20 || (chr >= 0x7f && chr < 0xa0) ||
		(chr >= 0xfdd0 && chr <= 0xfdef) || (chr & 0xfffe) == 0xfffe;
}

/* text as characters fit to draw: invalid UTF-8 as U+FFFD, control
   characters and noncharacters as spaces, spaces collapsed and trimmed */
static void mus_spider_chars(const char *text, ARRAY_TYPE(unichars) *chars)
{
	size_t len = strlen(text), pos = 0;
	const unichar_t space = ' ';

	while (pos < len) {
		unichar_t chr;
		int n = uni_utf8_get_char_n(text + pos, len - pos, &chr);

		/* surrogates and code points past U+10FFFF are invalid
		   too: each of their bytes becomes one U+FFFD */
		if (n <= 0) {
			chr = UNICODE_REPLACEMENT_CHAR;
			n = 1;
		} else if (mus_spider_char_is_control(chr) || chr == '\t') {
			chr = space;
		}
		pos += n;
		if (chr == space && (array_count(chars) == 0 ||
				     *array_back(chars) == space))
			continue;
		array_push_back(chars, &chr);
	}
	if (array_count(chars) > 0 && *array_back(chars) == space)
		array_pop_back(chars);
}

static const char *mus_spider_utf8(const unichar_t *chars, unsigned int count,
				   bool ellipsis)
{
	string_t *str = t_str_new(count * 2 + 4);

	while (count > 0 && chars[count - 1] == ' ')
		count--;
	uni_ucs4_to_utf8(chars, count, str);
	if (ellipsis)
		uni_ucs4_to_utf8_c(MUS_SPIDER_ELLIPSIS, str);
	return str_c(str);
}

/* text in at most max_lines lines of at most width characters, broken
   at spaces where a line has one and with a hyphen inside a word longer
   than a line (Danish compounds: "Velfærdsteknologi"); what does not fit
   ends in an ellipsis. Returns the number of lines (0 for empty text). */
static unsigned int mus_spider_wrap(const char *text, unsigned int width,
				    unsigned int max_lines,
				    const char **lines_r)
{
	ARRAY_TYPE(unichars) chars;
	const unichar_t *c;
	unsigned int n, start = 0, lines = 0;

	t_array_init(&chars, 64);
	mus_spider_chars(text, &chars);
	c = array_get(&chars, &n);
	while (start < n && lines < max_lines) {
		unsigned int end, next, k;
		bool hyphen = FALSE;

		if (n - start <= width) {
			end = next = n;
		} else {
			for (k = start + width; k > start && c[k] != ' '; k--) ;
			if (k > start) {
				end = k;
				next = k + 1;
			} else {
				end = next = start + width - 1;
				hyphen = TRUE;
			}
		}
		if (lines + 1 == max_lines && next < n) {
			lines_r[lines++] = mus_spider_utf8(c + start,
							   width - 1, TRUE);
			break;
		}
		lines_r[lines] = mus_spider_utf8(c + start, end - start, FALSE);
		if (hyphen)
			lines_r[lines] = t_strconcat(lines_r[lines], "-", NULL);
		lines++;
		start = next;
	}
	return lines;
}

static const char *mus_spider_line(const char *text, unsigned int width)
{
	const char *line;

	return mus_spider_wrap(text, width, 1, &line) == 0 ? "" : line;
}

/* --- cairo --- */

static void mus_cairo_rgb(cairo_t *cr, unsigned int rgb, double alpha)
{
	cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0,
			      ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0,
			      alpha);
}

static void mus_cairo_paint(cairo_t *cr, unsigned int stroke_rgb, double width,
			    bool dashed, unsigned int fill_rgb,
			    double fill_alpha)
{
	if (fill_rgb != MUS_SPIDER_NONE) {
		mus_cairo_rgb(cr, fill_rgb, fill_alpha);
		cairo_fill_preserve(cr);
	}
	if (stroke_rgb != MUS_SPIDER_NONE) {
		const double dash = width * 3;

		mus_cairo_rgb(cr, stroke_rgb, 1);
		cairo_set_line_width(cr, width);
		cairo_set_dash(cr, &dash, dashed ? 1 : 0, 0);
		cairo_stroke_preserve(cr);
	}
	cairo_new_path(cr);
}

static void mus_cairo_polygon(struct mus_spider_canvas *canvas,
			      const double *xy, unsigned int count,
			      unsigned int stroke_rgb, double width,
			      bool dashed, unsigned int fill_rgb,
			      double fill_alpha,
			      const char *svg_attrs ATTR_UNUSED)
{
	cairo_t *cr = canvas->cr;

	for (unsigned int i = 0; i < count; i++)
		cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
	cairo_close_path(cr);
	mus_cairo_paint(cr, stroke_rgb, width, dashed, fill_rgb, fill_alpha);
}

static void mus_cairo_line(struct mus_spider_canvas *canvas, double x1,
			   double y1, double x2, double y2, unsigned int rgb,
			   double width)
{
	cairo_move_to(canvas->cr, x1, y1);
	cairo_line_to(canvas->cr, x2, y2);
	mus_cairo_paint(canvas->cr, rgb, width, FALSE, MUS_SPIDER_NONE, 0);
}

static void mus_cairo_circle(struct mus_spider_canvas *canvas, double x,
			     double y, double r, unsigned int stroke_rgb,
			     double width, unsigned int fill_rgb,
			     const char *svg_attrs ATTR_UNUSED)
{
	cairo_new_sub_path(canvas->cr);
	cairo_arc(canvas->cr, x, y, r, 0, 2 * M_PI);
	mus_cairo_paint(canvas->cr, stroke_rgb, width, FALSE, fill_rgb, 1);
}

static void mus_cairo_text(struct mus_spider_canvas *canvas, double x,
			   double y, enum mus_spider_anchor anchor,
			   double font_size, bool bold, unsigned int rgb,
			   const char *text)
{
	cairo_t *cr = canvas->cr;
	cairo_text_extents_t ext;

	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD :
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, font_size);
	cairo_text_extents(cr, text, &ext);
	if (anchor == MUS_SPIDER_MIDDLE)
		x -= ext.x_advance / 2;
	else if (anchor == MUS_SPIDER_END)
		x -= ext.x_advance;
	mus_cairo_rgb(cr, rgb, 1);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, text);
	cairo_new_path(cr);
}

static const struct mus_spider_canvas_vfuncs mus_spider_cairo = {
	.polygon = mus_cairo_polygon,
	.line = mus_cairo_line,
	.circle = mus_cairo_circle,
	.text = mus_cairo_text,
};

/* --- SVG --- */

static const char *mus_svg_color(unsigned int rgb)
{
	return rgb == MUS_SPIDER_NONE ? "none" : t_strdup_printf("#%06x", rgb);
}

static void mus_svg_paint(string_t *svg, unsigned int stroke_rgb, double width,
			  bool dashed, unsigned int fill_rgb, double fill_alpha)
{
	str_printfa(svg, " fill=\"%s\"", mus_svg_color(fill_rgb));
	if (fill_rgb != MUS_SPIDER_NONE && fill_alpha < 1)
		str_printfa(svg, " fill-opacity=\"%.2f\"", fill_alpha);
	str_printfa(svg, " stroke=\"%s\"", mus_svg_color(stroke_rgb));
	if (stroke_rgb != MUS_SPIDER_NONE)
		str_printfa(svg, " stroke-width=\"%.2f\"", width);
	if (dashed)
		str_printfa(svg, " stroke-dasharray=\"%.2f\"", width * 3);
}

static void mus_svg_polygon(struct mus_spider_canvas *canvas,
			    const double *xy, unsigned int count,
			    unsigned int stroke_rgb, double width,
			    bool dashed, unsigned int fill_rgb,
			    double fill_alpha, const char *svg_attrs)
{
	string_t *svg = canvas->svg;

	str_printfa(svg, "<polygon %s points=\"", svg_attrs);
	for (unsigned int i = 0; i < count; i++) {
		str_printfa(svg, "%s%.2f,%.2f", i == 0 ? "" : " ", xy[2 * i],
			    xy[2 * i + 1]);
	}
	str_append_c(svg, '"');
	mus_svg_paint(svg, stroke_rgb, width, dashed, fill_rgb, fill_alpha);
	str_append(svg, "/>\n");
}

static void mus_svg_line(struct mus_spider_canvas *canvas, double x1,
			 double y1, double x2, double y2, unsigned int rgb,
			 double width)
{
	str_printfa(canvas->svg, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
		    "y2=\"%.2f\"", x1, y1, x2, y2);
	mus_svg_paint(canvas->svg, rgb, width, FALSE, MUS_SPIDER_NONE, 0);
	str_append(canvas->svg, "/>\n");
}

static void mus_svg_circle(struct mus_spider_canvas *canvas, double x,
			   double y, double r, unsigned int stroke_rgb,
			   double width, unsigned int fill_rgb,
			   const char *svg_attrs)
{
	str_printfa(canvas->svg, "<circle %s cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"",
		    svg_attrs, x, y, r);
	mus_svg_paint(canvas->svg, stroke_rgb, width, FALSE, fill_rgb, 1);
	str_append(canvas->svg, "/>\n");
}

static void mus_svg_text(struct mus_spider_canvas *canvas, double x, double y,
			 enum mus_spider_anchor anchor, double font_size,
			 bool bold, unsigned int rgb, const char *text)
{
	static const char *const anchors[] = {
		[MUS_SPIDER_START] = "start",
		[MUS_SPIDER_MIDDLE] = "middle",
		[MUS_SPIDER_END] = "end",
	};

	str_printfa(canvas->svg, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" "
		    "font-size=\"%.2f\"%s fill=\"%s\">%s</text>\n", x, y,
		    anchors[anchor], font_size,
		    bold ? " font-weight=\"bold\"" : "", mus_svg_color(rgb),
		    mus_report_html_escape(text));
}

static const struct mus_spider_canvas_vfuncs mus_spider_svg_canvas = {
	.polygon = mus_svg_polygon,
	.line = mus_svg_line,
	.circle = mus_svg_circle,
	.text = mus_svg_text,
};

/* --- the chart --- */

void mus_spider_geometry(unsigned int size, double *cx_r, double *cy_r,
			 double *radius_r)
{
	*cx_r = size / 2.0;
	*cy_r = size * MUS_SPIDER_CENTRE_Y;
	*radius_r = size * MUS_SPIDER_RADIUS;
}

struct mus_spider_frame {
	double s, cx, cy, radius;
};

static double mus_spider_angle(const struct mus_spider *spider, unsigned int i)
{
	return -M_PI / 2 + 2 * M_PI * i / spider->axis_count;
}

static void mus_spider_point(const struct mus_spider *spider,
			     const struct mus_spider_frame *f, unsigned int i,
			     double level, double *x_r, double *y_r)
{
	double a = mus_spider_angle(spider, i);
	double r = f->radius * level / MUS_SPIDER_LEVEL_MAX;

	*x_r = f->cx + r * cos(a);
	*y_r = f->cy + r * sin(a);
}

static void mus_spider_grid(struct mus_spider_canvas *canvas,
			    const struct mus_spider *spider,
			    const struct mus_spider_frame *f)
{
	double xy[2 * MUS_SPIDER_AXES_MAX], x, y;

	for (unsigned int level = 1; level <= MUS_SPIDER_LEVEL_MAX; level++) {
		for (unsigned int i = 0; i < spider->axis_count; i++) {
			mus_spider_point(spider, f, i, level, &xy[2 * i],
					 &xy[2 * i + 1]);
		}
		canvas->v->polygon(canvas, xy, spider->axis_count,
				   level == MUS_SPIDER_LEVEL_MAX ?
				   MUS_SPIDER_OUTER_RGB : MUS_SPIDER_GRID_RGB,
				   f->s, FALSE, MUS_SPIDER_NONE, 0,
				   "class=\"grid\"");
	}
	for (unsigned int i = 0; i < spider->axis_count; i++) {
		mus_spider_point(spider, f, i, MUS_SPIDER_LEVEL_MAX, &x, &y);
		canvas->v->line(canvas, f->cx, f->cy, x, y, MUS_SPIDER_GRID_RGB,
				f->s);
	}
	for (unsigned int level = 1; level <= MUS_SPIDER_LEVEL_MAX; level++) {
		mus_spider_point(spider, f, 0, level, &x, &y);
		canvas->v->text(canvas, x + 4 * f->s, y - 2 * f->s,
				MUS_SPIDER_START, MUS_SPIDER_LEVEL_FONT * f->s,
				FALSE, MUS_SPIDER_MUTED_RGB, dec2str(level));
	}
}

/* the label of axis i beyond level 5, with a note in the colour of the
   side(s) that marked it not relevant */
static void mus_spider_label(struct mus_spider_canvas *canvas,
			     const struct mus_spider *spider,
			     const struct mus_spider_frame *f, unsigned int i)
{
	const char *lines[MUS_SPIDER_LABEL_LINES + 1];
	bool employee_zero = spider->employee[i] == 0;
	bool leader_zero = spider->leader != NULL && spider->leader[i] == 0;
	unsigned int count, note_rgb;
	double a = mus_spider_angle(spider, i), ca = cos(a), sa = sin(a);
	double r = f->radius + MUS_SPIDER_LABEL_GAP * f->s;
	double x = f->cx + r * ca, y = f->cy + r * sa;
	double line = MUS_SPIDER_LINE * f->s, font = MUS_SPIDER_FONT * f->s;
	enum mus_spider_anchor anchor;

	count = mus_spider_wrap(spider->labels[i], MUS_SPIDER_LABEL_WIDTH,
				MUS_SPIDER_LABEL_LINES, lines);
	if (employee_zero || leader_zero)
		lines[count++] = mus_spider_line(spider->not_relevant,
						 MUS_SPIDER_NAME_WIDTH);
	if (ca > 0.2)
		anchor = MUS_SPIDER_START;
	else if (ca < -0.2)
		anchor = MUS_SPIDER_END;
	else
		anchor = MUS_SPIDER_MIDDLE;
	if (anchor == MUS_SPIDER_MIDDLE && sa < 0)
		y -= (count - 1) * line;	/* above the top: grow upwards */
	else if (anchor == MUS_SPIDER_MIDDLE)
		y += font;			/* below the bottom */
	else
		y += font * 0.35 - (count - 1) * line / 2;
	if (employee_zero && leader_zero)
		note_rgb = MUS_SPIDER_MUTED_RGB;
	else if (employee_zero)
		note_rgb = MUS_SPIDER_EMPLOYEE_RGB;
	else
		note_rgb = MUS_SPIDER_LEADER_RGB;
	for (unsigned int k = 0; k < count; k++) {
		bool note = (employee_zero || leader_zero) && k + 1 == count;

		canvas->v->text(canvas, x, y + k * line, anchor, font, FALSE,
				note ? note_rgb : MUS_SPIDER_TEXT_RGB,
				lines[k]);
	}
}

struct mus_spider_side {
	const unsigned int *levels;
	const char *name;
	unsigned int rgb;
	bool dashed;
	double ring;
};

static void mus_spider_polygon(struct mus_spider_canvas *canvas,
			       const struct mus_spider *spider,
			       const struct mus_spider_frame *f,
			       const struct mus_spider_side *side)
{
	double xy[2 * MUS_SPIDER_AXES_MAX];

	for (unsigned int i = 0; i < spider->axis_count; i++) {
		mus_spider_point(spider, f, i, side->levels[i], &xy[2 * i],
				 &xy[2 * i + 1]);
	}
	canvas->v->polygon(canvas, xy, spider->axis_count, side->rgb,
			   2.5 * f->s, side->dashed, side->rgb,
			   MUS_SPIDER_FILL_ALPHA,
			   t_strdup_printf("class=\"%s\"", side->name));
}

/* one side's vertices: a dot at each level, a ring near the centre for
   level 0 */
static void mus_spider_vertices(struct mus_spider_canvas *canvas,
				const struct mus_spider *spider,
				const struct mus_spider_frame *f,
				const struct mus_spider_side *side)
{
	const unsigned int *levels = side->levels;
	unsigned int rgb = side->rgb;
	double x, y;

	for (unsigned int i = 0; i < spider->axis_count; i++) {
		const char *attrs =
			t_strdup_printf("class=\"vertex %s%s\" data-axis=\"%u\" "
					"data-level=\"%u\"", side->name,
					levels[i] == 0 ? " not-relevant" : "",
					i, levels[i]);

		if (levels[i] > 0) {
			mus_spider_point(spider, f, i, levels[i], &x, &y);
			canvas->v->circle(canvas, x, y, MUS_SPIDER_DOT * f->s,
					  MUS_SPIDER_NONE, 0, rgb, attrs);
			continue;
		}
		mus_spider_point(spider, f, i, 0.5, &x, &y);
		canvas->v->circle(canvas, x, y, side->ring * f->s, rgb,
				  1.5 * f->s, MUS_SPIDER_WHITE, attrs);
	}
}

static void mus_spider_legend(struct mus_spider_canvas *canvas,
			      const struct mus_spider *spider,
			      const struct mus_spider_frame *f, double size)
{
	double s = f->s, y = size - MUS_SPIDER_LEGEND_BOTTOM * s;
	double box = 14 * s, x = MUS_SPIDER_LEGEND_X * s;
	struct {
		const char *name;
		unsigned int rgb;
	} items[] = {
		{ spider->employee_name, MUS_SPIDER_EMPLOYEE_RGB },
		{ spider->leader_name, MUS_SPIDER_LEADER_RGB },
	};

	for (unsigned int k = 0; k < N_ELEMENTS(items); k++) {
		double xy[] = { x, y - box, x + box, y - box, x + box, y, x, y };

		if (k == 1 && spider->leader == NULL)
			continue;
		canvas->v->polygon(canvas, xy, 4, items[k].rgb, 1.5 * s,
				   k == 1, items[k].rgb, MUS_SPIDER_FILL_ALPHA,
				   "class=\"legend\"");
		canvas->v->text(canvas, x + box + 6 * s, y - 2 * s,
				MUS_SPIDER_START, MUS_SPIDER_FONT * s, FALSE,
				MUS_SPIDER_TEXT_RGB,
				mus_spider_line(items[k].name,
						MUS_SPIDER_NAME_WIDTH));
		x += MUS_SPIDER_LEGEND_STEP * s;
	}
	canvas->v->circle(canvas, x + box / 2, y - box / 2,
			  MUS_SPIDER_RING * s, MUS_SPIDER_MUTED_RGB, 1.5 * s,
			  MUS_SPIDER_WHITE, "class=\"legend\"");
	canvas->v->text(canvas, x + box + 6 * s, y - 2 * s, MUS_SPIDER_START,
			MUS_SPIDER_FONT * s, FALSE, MUS_SPIDER_TEXT_RGB,
			t_strdup_printf("0 = %s",
				mus_spider_line(spider->not_relevant,
						MUS_SPIDER_NAME_WIDTH)));
}

static void mus_spider_draw(struct mus_spider_canvas *canvas,
			    const struct mus_spider *spider, unsigned int size)
{
	struct mus_spider_frame f;
	double xy[] = { 0, 0, size, 0, size, size, 0, size };
	const struct mus_spider_side sides[] = {
		{ spider->leader, "leader", MUS_SPIDER_LEADER_RGB, TRUE,
		  MUS_SPIDER_LEADER_RING },
		{ spider->employee, "employee", MUS_SPIDER_EMPLOYEE_RGB, FALSE,
		  MUS_SPIDER_RING },
	};
	unsigned int first = spider->leader == NULL ? 1 : 0;

	f.s = size / MUS_SPIDER_BASE;
	mus_spider_geometry(size, &f.cx, &f.cy, &f.radius);
	canvas->v->polygon(canvas, xy, 4, MUS_SPIDER_NONE, 0, FALSE,
			   MUS_SPIDER_WHITE, 1, "class=\"background\"");
	canvas->v->text(canvas, size / 2.0, MUS_SPIDER_TITLE_Y * f.s,
			MUS_SPIDER_MIDDLE, MUS_SPIDER_TITLE_FONT * f.s, TRUE,
			MUS_SPIDER_TEXT_RGB,
			mus_spider_line(spider->title, MUS_SPIDER_TITLE_WIDTH));
	mus_spider_grid(canvas, spider, &f);
	for (unsigned int i = 0; i < spider->axis_count; i++)
		mus_spider_label(canvas, spider, &f, i);
	/* the leader's side under the employee's, the dots above both */
	for (unsigned int k = first; k < N_ELEMENTS(sides); k++)
		mus_spider_polygon(canvas, spider, &f, &sides[k]);
	for (unsigned int k = first; k < N_ELEMENTS(sides); k++)
		mus_spider_vertices(canvas, spider, &f, &sides[k]);
	mus_spider_legend(canvas, spider, &f, size);
}

static int mus_spider_check(const struct mus_spider *spider, unsigned int size,
			    const char **error_r)
{
	if (size < MUS_SPIDER_SIZE_MIN || size > MUS_SPIDER_SIZE_MAX) {
		*error_r = t_strdup_printf("spider: size %u is not %u..%u", size,
					   MUS_SPIDER_SIZE_MIN,
					   MUS_SPIDER_SIZE_MAX);
		return -1;
	}
	if (spider->axis_count < MUS_SPIDER_AXES_MIN ||
	    spider->axis_count > MUS_SPIDER_AXES_MAX) {
		*error_r = t_strdup_printf("spider: %u axes, not %u..%u",
					   spider->axis_count,
					   MUS_SPIDER_AXES_MIN,
					   MUS_SPIDER_AXES_MAX);
		return -1;
	}
	if (spider->title == NULL || spider->employee_name == NULL ||
	    spider->not_relevant == NULL || spider->labels == NULL ||
	    spider->employee == NULL ||
	    (spider->leader != NULL && spider->leader_name == NULL)) {
		*error_r = "spider: a title, legend text, labels or levels are missing";
		return -1;
	}
	for (unsigned int i = 0; i < spider->axis_count; i++) {
		if (spider->labels[i] == NULL) {
			*error_r = t_strdup_printf("spider: axis %u has no label", i);
			return -1;
		}
		if (spider->employee[i] > MUS_SPIDER_LEVEL_MAX ||
		    (spider->leader != NULL &&
		     spider->leader[i] > MUS_SPIDER_LEVEL_MAX)) {
			*error_r = t_strdup_printf(
				"spider: a level of axis %u is not 0..%u", i,
				MUS_SPIDER_LEVEL_MAX);
			return -1;
		}
	}
	return 0;
}

static cairo_status_t mus_spider_png_write(void *context,
					   const unsigned char *data,
					   unsigned int length)
{
	buffer_append(context, data, length);
	return CAIRO_STATUS_SUCCESS;
}

int mus_spider_png(const struct mus_spider *spider, unsigned int size,
		   buffer_t *png, const char **error_r)
{
	struct mus_spider_canvas canvas = { .v = &mus_spider_cairo };
	cairo_surface_t *surface;
	cairo_status_t status;
	size_t old_used = png->used;

	if (mus_spider_check(spider, size, error_r) < 0)
		return -1;
	/* no alpha channel: the picture is opaque on white */
	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size);
	canvas.cr = cairo_create(surface);
	mus_spider_draw(&canvas, spider, size);
	status = cairo_status(canvas.cr);
	cairo_destroy(canvas.cr);
	if (status == CAIRO_STATUS_SUCCESS) {
		status = cairo_surface_write_to_png_stream(
			surface, mus_spider_png_write, png);
	}
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		buffer_set_used_size(png, old_used);
		*error_r = t_strdup_printf("spider: cairo failed to draw the PNG: %s",
					   cairo_status_to_string(status));
		return -1;
	}
	return 0;
}

int mus_spider_svg(const struct mus_spider *spider, unsigned int size,
		   string_t *svg, const char **error_r)
{
	struct mus_spider_canvas canvas = {
		.v = &mus_spider_svg_canvas, .svg = svg,
	};
	const char *title;

	if (mus_spider_check(spider, size, error_r) < 0)
		return -1;
	title = mus_report_html_escape(mus_spider_line(spider->title,
						       MUS_SPIDER_TITLE_WIDTH));
	str_printfa(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "class=\"spider\" width=\"%u\" height=\"%u\" "
		    "viewBox=\"0 0 %u %u\" role=\"img\" aria-label=\"%s\" "
		    "font-family=\"sans-serif\">\n<title>%s</title>\n",
		    size, size, size, size, title, title);
	mus_spider_draw(&canvas, spider, size);
	str_append(svg, "</svg>\n");
	return 0;
}
