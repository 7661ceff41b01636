#ifndef MUS_COMPETENCE_HEATMAP_H
#define MUS_COMPETENCE_HEATMAP_H

/* The competence heatmap of the HR page (mus-report-html): one row per
   competence, one column for the whole organisation and one per unit,
   each cell coloured by the employees' share at competent or above
   (their own assessment; mus-competences), with the share and the number
   of relevant answers written in it. Rows with the biggest gaps (lowest
   share in the whole organisation) come first; competences nobody
   found relevant come last. Inline SVG in the report's style: no
   scripts, nothing fetched, every name HTML-escaped. */

#include "mus-settings.h"

struct mus_competences;

/* the colour bands, from the lowest share up; a cell without relevant
   answers is MUS_HEATMAP_NONE_RGB */
#define MUS_HEATMAP_BANDS 5
#define MUS_HEATMAP_NONE_RGB 0xeeeeee

/* The colour (0xRRGGBB) of a cell with percent at competent or above
   (0..100; -1: no relevant answers): band percent / 20, the last band
   from 80 on. */
unsigned int mus_competence_heatmap_rgb(int percent);

/* Append <section id="competences"> with a heading in language, and
   either the chart (an <svg id="competences-heatmap">: a
   <g class="row" data-code=...> per competence, each cell a
   <rect class="cell" data-unit=... data-percent=... data-relevant=...>)
   or, when no employee has answered, a <p class="no-answers"> saying
   so. comp must be finished (mus_competences_finish()). */
void mus_competence_heatmap(string_t *out, const struct mus_competences *comp,
			    enum mus_language language);

#endif
