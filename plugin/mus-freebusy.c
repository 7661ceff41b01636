/* Busy time from calFBURL: libcurl for HTTP, libical for VFREEBUSY. */

#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "mus-freebusy.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libical/ical.h>

struct mus_freebusy {
	CURL *curl;
	size_t max_size;
	buffer_t *body;
	bool too_big;
};

static const char *mus_ical_parse_error(icalcomponent *comp)
{
	icalcomponent *sub;
	icalproperty *prop;

	prop = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	if (prop != NULL)
		return icalproperty_get_xlicerror(prop);
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
		const char *error = mus_ical_parse_error(sub);

		if (error != NULL)
			return error;
	}
	return NULL;
}

static bool mus_period_busy(icalproperty *prop, time_t *start_r, time_t *end_r)
{
	icalparameter *param =
		icalproperty_get_first_parameter(prop, ICAL_FBTYPE_PARAMETER);
	struct icalperiodtype period = icalproperty_get_freebusy(prop);
	icaltimezone *utc = icaltimezone_get_utc_timezone();

	if (param != NULL && icalparameter_get_fbtype(param) == ICAL_FBTYPE_FREE)
		return FALSE;
	if (icaltime_is_null_time(period.start))
		return FALSE;
	*start_r = icaltime_as_timet_with_zone(period.start, utc);
	if (!icaltime_is_null_time(period.end))
		*end_r = icaltime_as_timet_with_zone(period.end, utc);
	else
		*end_r = *start_r + icaldurationtype_as_int(period.duration);
	return *end_r > *start_r;
}

int mus_freebusy_parse(const char *data, size_t size,
		       mus_freebusy_callback_t *callback, void *context,
		       const char **error_r)
{
	icalcomponent *root, *fb;
	icalproperty *prop;
	const char *error;
	int count = 0;

	root = icalparser_parse_string(t_strndup(data, size));
	if (root == NULL) {
		*error_r = "not iCalendar data";
		return -1;
	}
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		icalcomponent_free(root);
		*error_r = "not a VCALENDAR";
		return -1;
	}
	error = mus_ical_parse_error(root);
	if (error != NULL) {
		*error_r = t_strdup_printf("broken iCalendar: %s", error);
		icalcomponent_free(root);
		return -1;
	}
	for (fb = icalcomponent_get_first_component(root, ICAL_VFREEBUSY_COMPONENT);
	     fb != NULL;
	     fb = icalcomponent_get_next_component(root, ICAL_VFREEBUSY_COMPONENT)) {
		for (prop = icalcomponent_get_first_property(fb, ICAL_FREEBUSY_PROPERTY);
		     prop != NULL;
		     prop = icalcomponent_get_next_property(fb, ICAL_FREEBUSY_PROPERTY)) {
			time_t start, end;

			if (mus_period_busy(prop, &start, &end)) {
				callback(start, end, context);
				count++;
			}
		}
	}
	icalcomponent_free(root);
	return count;
}

static size_t mus_freebusy_write(char *ptr, size_t size, size_t nmemb,
				 void *context)
{
	struct mus_freebusy *fb = context;
	size_t len = size * nmemb;

	if (fb->body->used + len > fb->max_size) {
		fb->too_big = TRUE;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	buffer_append(fb->body, ptr, len);
	return len;
}

/* The one place that tells curl's errors apart: the server did not
   answer (so the next URL on it will not be answered either), or this
   one request failed. */
static bool mus_freebusy_no_answer(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return TRUE;
	default:
		return FALSE;
	}
}

struct mus_freebusy *mus_freebusy_create(unsigned int timeout_msecs,
					 size_t max_size)
{
	struct mus_freebusy *fb = i_new(struct mus_freebusy, 1);

	fb->curl = curl_easy_init();
	if (fb->curl == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "curl_easy_init() failed");
	fb->max_size = max_size;
	fb->body = buffer_create_dynamic(default_pool, 8192);
	curl_easy_setopt(fb->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(fb->curl, CURLOPT_TIMEOUT_MS, (long)timeout_msecs);
	curl_easy_setopt(fb->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_msecs);
	curl_easy_setopt(fb->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(fb->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(fb->curl, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(fb->curl, CURLOPT_USERAGENT, "dovecot-mus");
	curl_easy_setopt(fb->curl, CURLOPT_WRITEFUNCTION, mus_freebusy_write);
	curl_easy_setopt(fb->curl, CURLOPT_WRITEDATA, fb);
	return fb;
}

void mus_freebusy_destroy(struct mus_freebusy **_fb)
{
	struct mus_freebusy *fb = *_fb;

	if (fb == NULL)
		return;
	*_fb = NULL;
	curl_easy_cleanup(fb->curl);
	buffer_free(&fb->body);
	i_free(fb);
}

int mus_freebusy_fetch(struct mus_freebusy *fb, const char *url,
		       mus_freebusy_callback_t *callback, void *context,
		       const char **error_r)
{
	long status = 0;
	CURLcode code;
	int ret;

	buffer_set_used_size(fb->body, 0);
	fb->too_big = FALSE;
	if (curl_easy_setopt(fb->curl, CURLOPT_URL, url) != CURLE_OK) {
		*error_r = t_strdup_printf("GET %s: not a usable URL", url);
		return -1;
	}
	code = curl_easy_perform(fb->curl);
	if (fb->too_big) {
		*error_r = t_strdup_printf("GET %s: more than %zu bytes",
					   url, fb->max_size);
		return -1;
	}
	if (code != CURLE_OK) {
		*error_r = t_strdup_printf("GET %s failed: %s", url,
					   curl_easy_strerror(code));
		return mus_freebusy_no_answer(code) ? -2 : -1;
	}
	(void)curl_easy_getinfo(fb->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		*error_r = t_strdup_printf("GET %s: HTTP status %ld", url, status);
		return -1;
	}
	ret = mus_freebusy_parse(fb->body->data, fb->body->used, callback,
				 context, error_r);
	if (ret < 0)
		*error_r = t_strdup_printf("GET %s: %s", url, *error_r);
	return ret;
}

/* ---- batches ---- */

/* what a worker sends for each period or failure */
struct mus_freebusy_record {
	uint32_t idx;
	uint32_t error_len;	/* 0: a period; else an error text follows */
	int64_t start, end;
};

#define MUS_FREEBUSY_HOST_FAILURES 3

struct mus_freebusy_worker {
	const struct mus_freebusy_batch *batch;
	/* in the calling process: results go to the callbacks directly */
	bool local;
	int fd;
	unsigned int idx;
	/* records are written in large chunks: a write per period would
	   cost a system call for every 24 bytes */
	buffer_t *out;
};

#define MUS_FREEBUSY_WORKER_CHUNK (64 * 1024)

static void mus_freebusy_write_all(int fd, const void *data, size_t size)
{
	const unsigned char *p = data;

	while (size > 0) {
		ssize_t ret = write(fd, p, size);

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			_exit(1);	/* the parent is gone */
		p += ret;
		size -= ret;
	}
}

static void mus_freebusy_worker_flush(struct mus_freebusy_worker *w)
{
	mus_freebusy_write_all(w->fd, w->out->data, w->out->used);
	buffer_set_used_size(w->out, 0);
}

static void mus_freebusy_worker_period(time_t start, time_t end, void *context)
{
	struct mus_freebusy_worker *w = context;
	struct mus_freebusy_record rec = {
		.idx = w->idx, .start = start, .end = end,
	};

	if (end <= w->batch->from || start >= w->batch->to)
		return;
	if (w->local) {
		w->batch->period(w->idx, start, end, w->batch->context);
		return;
	}
	buffer_append(w->out, &rec, sizeof(rec));
	if (w->out->used >= MUS_FREEBUSY_WORKER_CHUNK)
		mus_freebusy_worker_flush(w);
}

static void mus_freebusy_worker_failed(struct mus_freebusy_worker *w,
				       const char *error)
{
	struct mus_freebusy_record rec = {
		.idx = w->idx, .error_len = strlen(error),
	};

	if (w->local) {
		w->batch->failed(w->idx, error, w->batch->context);
		return;
	}
	buffer_append(w->out, &rec, sizeof(rec));
	buffer_append(w->out, error, rec.error_len);
	if (w->out->used >= MUS_FREEBUSY_WORKER_CHUNK)
		mus_freebusy_worker_flush(w);
}

static const char *mus_freebusy_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	const char *ret = "";

	char *port = NULL;

	/* a server is its host and port */
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		ret = t_strdup_printf("%s:%s", host, port);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

/* Fetch every URL this process claims. claims (shared by all processes
   of a run, one byte per URL; NULL: no sharing) lets workers take URLs
   as they go and the calling process take the rest from the end once it
   is free, so nobody idles while another still has a queue. */
static void mus_freebusy_loop(struct mus_freebusy_worker *w,
			      unsigned char *claims, bool backwards)
{
	const struct mus_freebusy_batch *batch = w->batch;
	struct mus_freebusy *fb;
	string_t *bad_host = str_new(default_pool, 64);
	unsigned int bad_count = 0;

	fb = mus_freebusy_create(batch->timeout_msecs, batch->max_size);
	for (unsigned int k = 0; k < batch->count; k++) {
		unsigned int i = backwards ? batch->count - 1 - k : k;

		if (claims != NULL &&
		    __atomic_exchange_n(&claims[i], 1, __ATOMIC_ACQ_REL) != 0)
			continue;
		T_BEGIN {
			const char *host = mus_freebusy_host(batch->urls[i]);
			const char *error;
			int ret;

			w->idx = i;
			if (bad_count >= MUS_FREEBUSY_HOST_FAILURES &&
			    strcmp(str_c(bad_host), host) == 0) {
				mus_freebusy_worker_failed(w, t_strdup_printf(
					"GET %s: skipped, server %s did not answer %u times in a row",
					batch->urls[i], host, bad_count));
			} else if ((ret = mus_freebusy_fetch(fb, batch->urls[i],
							     mus_freebusy_worker_period,
							     w, &error)) < 0) {
				mus_freebusy_worker_failed(w, error);
				if (ret == -2) {
					if (strcmp(str_c(bad_host), host) != 0) {
						str_truncate(bad_host, 0);
						str_append(bad_host, host);
						bad_count = 0;
					}
					bad_count++;
				}
			} else if (strcmp(str_c(bad_host), host) == 0) {
				bad_count = 0;
			}
		} T_END;
	}
	mus_freebusy_destroy(&fb);
	str_free(&bad_host);
}

static void mus_freebusy_worker_run(const struct mus_freebusy_batch *batch,
				    unsigned char *claims, int fd)
{
	struct mus_freebusy_worker w = { .batch = batch, .fd = fd };

	w.out = buffer_create_dynamic(default_pool, MUS_FREEBUSY_WORKER_CHUNK + 4096);
	mus_freebusy_loop(&w, claims, FALSE);
	mus_freebusy_worker_flush(&w);
	buffer_free(&w.out);
}

static void mus_freebusy_run_local(const struct mus_freebusy_batch *batch,
				   unsigned char *claims)
{
	struct mus_freebusy_worker w = { .batch = batch, .local = TRUE };

	mus_freebusy_loop(&w, claims, claims != NULL);
}

/* Read whole records from buf; keep a partial one for later. */
static void mus_freebusy_dispatch(const struct mus_freebusy_batch *batch,
				  buffer_t *buf)
{
	const unsigned char *data = buf->data;
	size_t pos = 0;

	while (buf->used - pos >= sizeof(struct mus_freebusy_record)) {
		struct mus_freebusy_record rec;

		memcpy(&rec, data + pos, sizeof(rec));
		if (rec.error_len > 0) {
			if (buf->used - pos - sizeof(rec) < rec.error_len)
				break;
			T_BEGIN {
				batch->failed(rec.idx, t_strndup(data + pos + sizeof(rec),
								 rec.error_len),
					      batch->context);
			} T_END;
		} else if (rec.idx < batch->count) {
			batch->period(rec.idx, (time_t)rec.start, (time_t)rec.end,
				      batch->context);
		}
		pos += sizeof(rec) + rec.error_len;
	}
	buffer_delete(buf, 0, pos);
}

struct mus_freebusy_run {
	const struct mus_freebusy_batch *batch;
	unsigned int count;
	pid_t pids[8];
	int fds[8];
	/* one byte per URL, shared with the workers: taken or not */
	unsigned char *claims;
};

static int mus_freebusy_tmpfile(const char **error_r)
{
	char path[] = "/tmp/mus-freebusy.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		*error_r = t_strdup_printf("mkstemp(%s) failed: %m", path);
		return -1;
	}
	i_unlink(path);
	return fd;
}

int mus_freebusy_batch_start(const struct mus_freebusy_batch *batch,
			     struct mus_freebusy_run **run_r,
			     const char **error_r)
{
	struct mus_freebusy_run *run = i_new(struct mus_freebusy_run, 1);
	unsigned int workers = batch->workers;

	run->batch = batch;
	*run_r = run;
	if (workers > N_ELEMENTS(run->pids))
		workers = N_ELEMENTS(run->pids);
	if (workers > batch->count)
		workers = batch->count;
	if (workers == 0 || (workers == 1 && !batch->background))
		return 0;
	run->claims = mmap(NULL, batch->count, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run->claims == MAP_FAILED) {
		run->claims = NULL;
		*error_r = t_strdup_printf("mmap(%u) failed: %m", batch->count);
		return -1;
	}
	for (unsigned int i = 0; i < workers; i++) {
		int fd = mus_freebusy_tmpfile(error_r);

		if (fd < 0)
			return -1;
		run->pids[i] = fork();
		if (run->pids[i] < 0) {
			*error_r = t_strdup_printf("fork() failed: %m");
			i_close_fd(&fd);
			return -1;
		}
		if (run->pids[i] == 0) {
			for (unsigned int j = 0; j < run->count; j++)
				(void)close(run->fds[j]);
			mus_freebusy_worker_run(batch, run->claims, fd);
			_exit(0);
		}
		run->fds[run->count++] = fd;
	}
	return 0;
}

int mus_freebusy_batch_finish(struct mus_freebusy_run **_run,
			      const char **error_r)
{
	struct mus_freebusy_run *run = *_run;
	buffer_t *buf;
	int ret = 0;

	*_run = NULL;
	/* what no worker has taken yet, this process does itself (all of it
	   when there are no workers) */
	if (run->claims != NULL || run->count == 0)
		mus_freebusy_run_local(run->batch, run->claims);
	buf = buffer_create_dynamic(default_pool, 65536 * 2);
	for (unsigned int i = 0; i < run->count; i++) {
		unsigned char chunk[65536];
		int status;
		ssize_t n;

		if (waitpid(run->pids[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (ret == 0) {
				*error_r = t_strdup_printf(
					"free/busy worker %d failed (status %d)",
					(int)run->pids[i], status);
			}
			ret = -1;
		}
		/* what a failed worker wrote is still good */
		if (lseek(run->fds[i], 0, SEEK_SET) < 0) {
			*error_r = t_strdup_printf("lseek() failed: %m");
			ret = -1;
		}
		buffer_set_used_size(buf, 0);
		while ((n = read(run->fds[i], chunk, sizeof(chunk))) > 0) {
			buffer_append(buf, chunk, n);
			mus_freebusy_dispatch(run->batch, buf);
		}
		i_close_fd(&run->fds[i]);
	}
	buffer_free(&buf);
	if (run->claims != NULL)
		(void)munmap(run->claims, run->batch->count);
	i_free(run);
	return ret;
}

void mus_freebusy_batch_abort(struct mus_freebusy_run **_run)
{
	struct mus_freebusy_run *run = *_run;

	*_run = NULL;
	for (unsigned int i = 0; i < run->count; i++) {
		(void)kill(run->pids[i], SIGTERM);
		(void)waitpid(run->pids[i], NULL, 0);
		i_close_fd(&run->fds[i]);
	}
	if (run->claims != NULL)
		(void)munmap(run->claims, run->batch->count);
	i_free(run);
}

int mus_freebusy_fetch_batch(const struct mus_freebusy_batch *batch,
			     const char **error_r)
{
	struct mus_freebusy_run *run;
	const char *error;
	int ret;

	ret = mus_freebusy_batch_start(batch, &run, error_r);
	if (mus_freebusy_batch_finish(&run, &error) < 0 && ret == 0) {
		*error_r = error;
		ret = -1;
	}
	return ret;
}
