/* Unit tests of the competence spider (mus-spider): the PNG decodes at
   the stated size with the sides' colours at their vertices, the SVG is
   well-formed with one vertex per axis at its level's radius, and
   hostile labels are escaped or repaired. */

#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "unichar.h"
#include "mus-spider.h"
#include "mus-test-xml.h"
#include "mus-test.h"

#include <math.h>
#include <stdio.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#define SIZE 640

static const char *const labels6[] = {
	"Borgerkontakt og kommunikation med pårørende", "Faglig viden",
	"Samarbejde", "Økonomi og årsplan", "Dokumentation", "IT",
};
static const unsigned int employee6[] = { 3, 4, 2, 5, 1, 0 };
static const unsigned int leader6[] = { 2, 4, 3, 3, 0, 1 };

static void test_spider_init(struct mus_spider *spider)
{
	i_zero(spider);
	spider->title = "Kompetencer: Søren Højgaard";
	spider->axis_count = N_ELEMENTS(labels6);
	spider->labels = labels6;
	spider->employee = employee6;
	spider->leader = leader6;
	spider->employee_name = "Medarbejder";
	spider->leader_name = "Leder";
	spider->not_relevant = "ikke relevant";
}

static void test_vertex(const struct mus_spider *spider, unsigned int i,
			unsigned int level, double *x_r, double *y_r)
{
	double cx, cy, radius, a;

	mus_spider_geometry(SIZE, &cx, &cy, &radius);
	a = -M_PI / 2 + 2 * M_PI * i / spider->axis_count;
	*x_r = cx + radius * level / MUS_SPIDER_LEVEL_MAX * cos(a);
	*y_r = cy + radius * level / MUS_SPIDER_LEVEL_MAX * sin(a);
}

/* --- PNG --- */

struct test_png_reader {
	const buffer_t *png;
	size_t pos;
};

static cairo_status_t test_png_read(void *context, unsigned char *data,
				    unsigned int length)
{
	struct test_png_reader *reader = context;

	if (reader->png->used - reader->pos < length)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, CONST_PTR_OFFSET(reader->png->data, reader->pos), length);
	reader->pos += length;
	return CAIRO_STATUS_SUCCESS;
}

static uint32_t test_be32(const buffer_t *png, size_t pos)
{
	const unsigned char *p = CONST_PTR_OFFSET(png->data, pos);

	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

/* the RGB of pixel (x, y) of an RGB24 surface */
static unsigned int test_pixel(cairo_surface_t *image, double x, double y)
{
	const unsigned char *data = cairo_image_surface_get_data(image);
	int stride = cairo_image_surface_get_stride(image);
	int px = x, py = y;
	const uint32_t *row = (const uint32_t *)(const void *)
		(data + py * stride);

	return row[px] & 0xffffff;
}

static bool test_rgb_near(unsigned int rgb, double r, double g, double b)
{
	return fabs(((rgb >> 16) & 0xff) - r) <= 3 &&
		fabs(((rgb >> 8) & 0xff) - g) <= 3 && fabs((rgb & 0xff) - b) <= 3;
}

static void test_spider_png(void)
{
	struct mus_spider spider;
	struct test_png_reader reader;
	buffer_t *png = t_buffer_create(64 * 1024);
	cairo_surface_t *image;
	const char *error = NULL;
	double x, y, tint = 1 - 0.22;

	mus_test_begin("spider: PNG decodes at 640x640 with both sides drawn");
	test_spider_init(&spider);
	buffer_append(png, "kept", 4);
	test_assert(mus_spider_png(&spider, SIZE, png, &error) == 0);
	test_assert(error == NULL);
	test_assert(memcmp(png->data, "kept", 4) == 0);
	buffer_delete(png, 0, 4);
	test_assert(png->used > 1000);
	test_assert(memcmp(png->data, "\x89PNG\r\n\x1a\n", 8) == 0);
	test_assert(memcmp(CONST_PTR_OFFSET(png->data, 12), "IHDR", 4) == 0);
	test_assert(test_be32(png, 16) == SIZE);
	test_assert(test_be32(png, 20) == SIZE);

	reader.png = png;
	reader.pos = 0;
	image = cairo_image_surface_create_from_png_stream(test_png_read,
							   &reader);
	test_assert(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS);
	if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(image);
		mus_test_end();
		return;
	}
	test_assert(cairo_image_surface_get_width(image) == SIZE);
	test_assert(cairo_image_surface_get_height(image) == SIZE);
	cairo_surface_flush(image);
	/* each side's dot at a vertex where the sides differ */
	for (unsigned int i = 0; i < spider.axis_count; i++) {
		if (employee6[i] == leader6[i])
			continue;
		if (employee6[i] > 0) {
			test_vertex(&spider, i, employee6[i], &x, &y);
			test_assert(test_pixel(image, x, y) ==
				    MUS_SPIDER_EMPLOYEE_RGB);
		}
		if (leader6[i] > 0) {
			test_vertex(&spider, i, leader6[i], &x, &y);
			test_assert(test_pixel(image, x, y) ==
				    MUS_SPIDER_LEADER_RGB);
		}
	}
	/* inside the employee's polygon only (axis 0: employee 3, leader 2,
	   a little off the axis line): white under the employee's tint */
	test_vertex(&spider, 0, 5, &x, &y);
	{
		double cx, cy, radius;

		mus_spider_geometry(SIZE, &cx, &cy, &radius);
		x += 3;
		y = cy - radius * 2.5 / MUS_SPIDER_LEVEL_MAX;
	}
	test_assert(test_rgb_near(test_pixel(image, x, y),
				  255 * tint + 0.22 * 0x2a,
				  255 * tint + 0.22 * 0x6f,
				  255 * tint + 0.22 * 0x97));
	/* the corners are plain white */
	test_assert(test_pixel(image, 1, 1) == 0xffffff);
	test_assert(test_pixel(image, SIZE - 2, SIZE - 2) == 0xffffff);
	cairo_surface_destroy(image);
	mus_test_end();
}

static void test_spider_fonts(void)
{
	cairo_surface_t *surface;
	cairo_t *cr;
	cairo_glyph_t *glyphs = NULL;
	int count = 0;

	mus_test_begin("spider: the font cairo picks has glyphs for the Danish letters");
	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
	cr = cairo_create(surface);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	test_assert(cairo_scaled_font_text_to_glyphs(
		cairo_get_scaled_font(cr), 0, 0, "æøåÆØÅ", -1, &glyphs, &count,
		NULL, NULL, NULL) == CAIRO_STATUS_SUCCESS);
	test_assert(count == 6);
	for (int i = 0; i < count; i++)
		test_assert(glyphs[i].index != 0);
	cairo_glyph_free(glyphs);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	mus_test_end();
}

/* --- SVG --- */

/* the points of <polygon class="side">, or 0 */
static unsigned int test_svg_points(const char *svg, const char *side,
				    double *xy, unsigned int max)
{
	const char *start = t_strdup_printf("<polygon class=\"%s\" points=\"",
					    side);
	const char *p = strstr(svg, start);
	unsigned int count = 0;
	int used;

	if (p == NULL)
		return 0;
	p += strlen(start);
	while (count < max &&
	       sscanf(p, "%lf,%lf%n", &xy[2 * count], &xy[2 * count + 1],
		      &used) == 2) {
		count++;
		p += used;
		if (*p != ' ')
			break;
	}
	return count;
}

static unsigned int test_count(const char *text, const char *sub)
{
	unsigned int count = 0;

	for (const char *p = strstr(text, sub); p != NULL;
	     p = strstr(p + 1, sub))
		count++;
	return count;
}

static void test_spider_side_svg(const struct mus_spider *spider,
				 const char *svg, const char *side,
				 const unsigned int *levels)
{
	double xy[2 * (MUS_SPIDER_AXES_MAX + 1)], cx, cy, radius;

	mus_spider_geometry(SIZE, &cx, &cy, &radius);
	test_assert(test_svg_points(svg, side, xy, MUS_SPIDER_AXES_MAX + 1) ==
		    spider->axis_count);
	for (unsigned int i = 0; i < spider->axis_count; i++) {
		double x, y;

		test_vertex(spider, i, levels[i], &x, &y);
		test_assert(fabs(hypot(xy[2 * i] - cx, xy[2 * i + 1] - cy) -
				 radius * levels[i] / MUS_SPIDER_LEVEL_MAX) < 0.01);
		test_assert(fabs(xy[2 * i] - x) < 0.01 &&
			    fabs(xy[2 * i + 1] - y) < 0.01);
		test_assert_contains(svg, t_strdup_printf(
			"class=\"vertex %s%s\" data-axis=\"%u\" data-level=\"%u\"",
			side, levels[i] == 0 ? " not-relevant" : "", i,
			levels[i]));
	}
	test_assert(test_count(svg, t_strdup_printf("class=\"vertex %s",
						    side)) ==
		    spider->axis_count);
}

static void test_spider_svg(void)
{
	struct mus_spider spider;
	string_t *svg = t_str_new(8192);
	const char *error = NULL;

	mus_test_begin("spider: SVG is well-formed, one vertex per axis at its level");
	test_spider_init(&spider);
	str_append(svg, "<p>");
	test_assert(mus_spider_svg(&spider, SIZE, svg, &error) == 0);
	test_assert(error == NULL);
	test_assert(str_begins(str_c(svg), "<p><svg xmlns=\"http://www.w3.org/2000/svg\""));
	str_delete(svg, 0, 3);
	test_assert_strcmp(mus_test_xml_problem(str_c(svg)), NULL);
	test_assert_contains(str_c(svg), "width=\"640\" height=\"640\"");
	test_spider_side_svg(&spider, str_c(svg), "employee", employee6);
	test_spider_side_svg(&spider, str_c(svg), "leader", leader6);
	/* Danish letters as they are; a long label wrapped at spaces */
	test_assert_contains(str_c(svg), "<title>Kompetencer: Søren Højgaard</title>");
	test_assert_contains(str_c(svg), ">Økonomi og</text>");
	test_assert_contains(str_c(svg), ">årsplan</text>");
	test_assert_contains(str_c(svg), ">Borgerkontakt og</text>");
	test_assert_contains(str_c(svg), ">kommunikation</text>");
	test_assert_contains(str_c(svg), ">med pårørende</text>");
	/* level 0 noted under the label: once for each side's zero */
	test_assert(test_count(str_c(svg), ">ikke relevant</text>") == 2);
	test_assert_contains(str_c(svg), ">0 = ikke relevant</text>");
	test_assert_contains(str_c(svg), ">Medarbejder</text>");
	test_assert_contains(str_c(svg), ">Leder</text>");
	/* nothing active, nothing fetched */
	test_assert(strstr(str_c(svg), "<script") == NULL);
	test_assert(strstr(str_c(svg), "href") == NULL);
	test_assert(strstr(str_c(svg), "url(") == NULL);
	test_assert(strstr(str_c(svg), " on") == NULL);
	mus_test_end();
}

static void test_spider_no_leader(void)
{
	static const char *const labels3[] = { "a", "b", "c" };
	static const char *const labels8[] = {
		"a", "b", "c", "d", "e", "f", "g", "h",
	};
	static const unsigned int levels8[] = { 0, 1, 2, 3, 4, 5, 0, 5 };
	struct mus_spider spider;
	string_t *svg = t_str_new(8192);
	buffer_t *png = t_buffer_create(32 * 1024);
	const char *error;

	mus_test_begin("spider: 3 and 8 axes, without the leader's levels");
	test_spider_init(&spider);
	spider.leader = NULL;
	spider.leader_name = NULL;
	spider.axis_count = 3;
	spider.labels = labels3;
	test_assert(mus_spider_svg(&spider, SIZE, svg, &error) == 0);
	test_assert_strcmp(mus_test_xml_problem(str_c(svg)), NULL);
	test_spider_side_svg(&spider, str_c(svg), "employee", employee6);
	test_assert(strstr(str_c(svg), "class=\"leader\"") == NULL);
	test_assert(strstr(str_c(svg), ">Leder<") == NULL);

	str_truncate(svg, 0);
	spider.axis_count = 8;
	spider.labels = labels8;
	spider.employee = levels8;
	test_assert(mus_spider_svg(&spider, SIZE, svg, &error) == 0);
	test_assert_strcmp(mus_test_xml_problem(str_c(svg)), NULL);
	test_spider_side_svg(&spider, str_c(svg), "employee", levels8);
	test_assert(test_count(str_c(svg), ">ikke relevant</text>") == 2);
	test_assert(mus_spider_png(&spider, MUS_SPIDER_SIZE_MIN, png, &error) == 0);
	test_assert(png->used > 8 && test_be32(png, 16) == MUS_SPIDER_SIZE_MIN);
	mus_test_end();
}

static void test_spider_hostile(void)
{
	static const char *const hostile[] = {
		"<script>alert(1)</script>",
		"\"quoted\" & 'single'",
		"Et meget langt navn på en kompetence som aldrig slutter "
		"og bliver ved og ved og ved med at fylde mere end plads",
		"\xff\xfe bad \xc3 utf-8 \xed\xa0\x80",
		"ctrl\x01\x1b[31m\tx\n\ry\xef\xbf\xbez\xf4\x90\x80\x80",
		"Ordetsomaldrigholderopmedatværeetord",
	};
	struct mus_spider spider;
	string_t *svg = t_str_new(8192);
	buffer_t *png = t_buffer_create(32 * 1024);
	const char *error = NULL;

	mus_test_begin("spider: hostile labels are escaped, repaired and shortened");
	test_spider_init(&spider);
	spider.labels = hostile;
	spider.title = "</svg><script>x</script>";
	spider.employee_name = "A & B";
	test_assert(mus_spider_svg(&spider, SIZE, svg, &error) == 0);
	test_assert_strcmp(mus_test_xml_problem(str_c(svg)), NULL);
	test_assert(strstr(str_c(svg), "<script") == NULL);
	test_assert(test_count(str_c(svg), "</svg>") == 1);
	/* one word longer than a line: broken with a hyphen */
	test_assert_contains(str_c(svg), ">&lt;script&gt;alert(1-<");
	test_assert_contains(str_c(svg), ">)&lt;/script&gt;<");
	test_assert_contains(str_c(svg), "<title>&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;</title>");
	test_assert_contains(str_c(svg), ">&quot;quoted&quot; &amp;<");
	test_assert_contains(str_c(svg), ">&#39;single&#39;<");
	test_assert_contains(str_c(svg), ">A &amp; B<");
	/* three lines of at most 16 characters, the last one shortened */
	test_assert_contains(str_c(svg), ">Et meget langt<");
	test_assert_contains(str_c(svg), ">navn på en<");
	test_assert_contains(str_c(svg), ">kompetence som…<");
	test_assert(strstr(str_c(svg), "slutter") == NULL);
	/* invalid UTF-8 as U+FFFD (a surrogate's three bytes as three, past
	   U+10FFFF four), controls and U+FFFE as one space */
	test_assert_contains(str_c(svg), ">\xEF\xBF\xBD\xEF\xBF\xBD bad "
			     "\xEF\xBF\xBD utf-8<");
	test_assert_contains(str_c(svg),
			     ">\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD<");
	test_assert_contains(str_c(svg), ">ctrl [31m x y<");
	test_assert_contains(str_c(svg), ">z\xEF\xBF\xBD\xEF\xBF\xBD"
			     "\xEF\xBF\xBD\xEF\xBF\xBD<");
	/* a word longer than a line is broken with a hyphen */
	test_assert_contains(str_c(svg), ">Ordetsomaldrigh-<");
	test_assert_contains(str_c(svg), ">olderopmedatvær-<");
	test_assert_contains(str_c(svg), ">eetord<");
	test_assert(mus_spider_png(&spider, SIZE, png, &error) == 0);
	test_assert(png->used > 8 && test_be32(png, 20) == SIZE);
	mus_test_end();
}

static const unsigned int too_high[] = { 3, 6, 2, 5, 1, 0 };
static const char *const missing[] = { "a", NULL, "c", "d", "e", "f" };

static const struct {
	unsigned int axes, size;
	const unsigned int *leader;
	const char *const *labels;
	bool no_leader_name;
	const char *error;
} error_cases[] = {
	{ 2, SIZE, NULL, NULL, FALSE, "spider: 2 axes, not 3..8" },
	{ 9, SIZE, NULL, NULL, FALSE, "spider: 9 axes, not 3..8" },
	{ 6, SIZE, too_high, NULL, FALSE, "spider: a level of axis 1 is not 0..5" },
	{ 6, SIZE, NULL, missing, FALSE, "spider: axis 1 has no label" },
	{ 6, SIZE, NULL, NULL, TRUE,
	  "spider: a title, legend text, labels or levels are missing" },
	{ 6, 199, NULL, NULL, FALSE, "spider: size 199 is not 200..2000" },
	{ 6, 2001, NULL, NULL, FALSE, "spider: size 2001 is not 200..2000" },
};

static void test_spider_errors(void)
{
	struct mus_spider spider;
	string_t *svg = t_str_new(64);
	buffer_t *png = t_buffer_create(64);

	for (unsigned int i = 0; i < N_ELEMENTS(error_cases); i++) {
		const char *png_error = NULL, *svg_error = NULL;

		mus_test_begin(error_cases[i].error);
		test_spider_init(&spider);
		spider.axis_count = error_cases[i].axes;
		if (error_cases[i].leader != NULL)
			spider.leader = error_cases[i].leader;
		if (error_cases[i].labels != NULL)
			spider.labels = error_cases[i].labels;
		if (error_cases[i].no_leader_name)
			spider.leader_name = NULL;
		test_assert(mus_spider_png(&spider, error_cases[i].size, png,
					   &png_error) < 0);
		test_assert(mus_spider_svg(&spider, error_cases[i].size, svg,
					   &svg_error) < 0);
		test_assert_strcmp(png_error, error_cases[i].error);
		test_assert_strcmp(svg_error, error_cases[i].error);
		test_assert(str_len(svg) == 0);
		test_assert(png->used == 0);
		mus_test_end();
	}
}

void test_spider(void)
{
	test_spider_png();
	test_spider_fonts();
	test_spider_svg();
	test_spider_no_leader();
	test_spider_hostile();
	test_spider_errors();
	/* cairo and fontconfig keep fonts and their configuration for the
	   life of the process; let go of them so that ASan and valgrind
	   report only what leaks */
	cairo_debug_reset_static_data();
	FcFini();
}
