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

/* Fetch url and parse it. Returns the number of busy periods, -1 with the
   URL and the reason (HTTP status, too big, not iCalendar), or -2 when the
   server did not answer at all (unreachable, timeout). */
int mus_freebusy_fetch(struct mus_freebusy *fb, const char *url,
		       mus_freebusy_callback_t *callback, void *context,
		       const char **error_r);

struct mus_freebusy_batch {
	/* the URLs known at the start; more may follow with
	   mus_freebusy_batch_add() */
	const char *const *urls;
	unsigned int count;
	/* busy periods outside [from, to) are not reported */
	time_t from, to;
	unsigned int timeout_msecs;
	size_t max_size;
	/* fetch in this many processes at once (1: in this process, unless
	   started in the background) */
	unsigned int workers;
	bool background;
	/* called with the index of the URL: its place in urls, then in the
	   order of mus_freebusy_batch_add() */
	void (*period)(unsigned int idx, time_t start, time_t end, void *context);
	void (*failed)(unsigned int idx, const char *error, void *context);
	void *context;
};

/* Fetch and parse every URL of the batch. Parsing calendars is what costs
   at scale, so the URLs are shared among worker processes; their results
   come back through files. Once a server has not answered three times in
   a row (down or hanging), its remaining URLs fail at once instead of one
   timeout each. Returns 0, or -1 if the workers could not be run. */
int mus_freebusy_fetch_batch(const struct mus_freebusy_batch *batch,
			     const char **error_r);

/* The same in steps, so that the caller can do other work while the
   workers fetch: start returns at once (the workers write their results
   to unlinked temporary files, never waiting for the caller); add gives
   the workers one more URL as soon as the caller knows it; finish fetches
   what the workers have not taken yet, waits for them and calls the
   batch's callbacks. The batch and every URL must stay valid until
   finish. With one worker and no background, start does nothing and
   finish does all the work. */
struct mus_freebusy_run;
int mus_freebusy_batch_start(const struct mus_freebusy_batch *batch,
			     struct mus_freebusy_run **run_r,
			     const char **error_r);
void mus_freebusy_batch_add(struct mus_freebusy_run *run, const char *url);
int mus_freebusy_batch_finish(struct mus_freebusy_run **run,
			      const char **error_r);
/* Stop the workers of a run and forget their results. */
void mus_freebusy_batch_abort(struct mus_freebusy_run **run);

#endif
