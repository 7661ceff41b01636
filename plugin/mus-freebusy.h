#ifndef MUS_FREEBUSY_H
#define MUS_FREEBUSY_H

/* Busy time published at a person's calFBURL (RFC 2739): fetched over
   HTTP(S) with libcurl and read as iCalendar VFREEBUSY with libical. */

struct mus_freebusy;

/* Called for every busy period [start, end). */
typedef void mus_freebusy_callback_t(time_t start, time_t end, void *context);

/* Parse iCalendar text holding VFREEBUSY components: FREEBUSY periods of
   any type but FREE are busy. Returns the number of periods given to the
   callback, or -1 with the reason if the text is no usable iCalendar. */
int mus_freebusy_parse(const char *data, size_t size,
		       mus_freebusy_callback_t *callback, void *context,
		       const char **error_r);

/* A fetcher that keeps its connections open between fetches. Every fetch
   gives up after timeout_msecs and refuses bodies over max_size bytes. */
struct mus_freebusy *mus_freebusy_create(unsigned int timeout_msecs,
					 size_t max_size);
void mus_freebusy_destroy(struct mus_freebusy **fb);

/* Fetch url and parse it. Returns the number of busy periods, or -1 with
   the URL and the reason (unreachable, HTTP status, too big, not
   iCalendar). */
int mus_freebusy_fetch(struct mus_freebusy *fb, const char *url,
		       mus_freebusy_callback_t *callback, void *context,
		       const char **error_r);

#endif
