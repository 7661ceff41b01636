/* Busy time from calFBURL: libcurl for HTTP, libical for VFREEBUSY. */

#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "mus-freebusy.h"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
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
		return -1;
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
	int fd;
	unsigned int idx;
};

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

static void mus_freebusy_worker_period(time_t start, time_t end, void *context)
{
	struct mus_freebusy_worker *w = context;
	struct mus_freebusy_record rec = {
		.idx = w->idx, .start = start, .end = end,
	};

	if (end <= w->batch->from || start >= w->batch->to)
		return;
	mus_freebusy_write_all(w->fd, &rec, sizeof(rec));
}

static void mus_freebusy_worker_failed(struct mus_freebusy_worker *w,
				       const char *error)
{
	struct mus_freebusy_record rec = {
		.idx = w->idx, .error_len = strlen(error),
	};

	mus_freebusy_write_all(w->fd, &rec, sizeof(rec));
	mus_freebusy_write_all(w->fd, error, rec.error_len);
}

static const char *mus_freebusy_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	const char *ret = "";

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ret = t_strdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

/* fetch every URL with index first, first + step, ... */
static void mus_freebusy_worker_run(const struct mus_freebusy_batch *batch,
				    unsigned int first, unsigned int step,
				    int fd)
{
	struct mus_freebusy_worker w = { .batch = batch, .fd = fd };
	struct mus_freebusy *fb;
	string_t *bad_host = str_new(default_pool, 64);
	unsigned int bad_count = 0;

	fb = mus_freebusy_create(batch->timeout_msecs, batch->max_size);
	for (unsigned int i = first; i < batch->count; i += step) {
		T_BEGIN {
			const char *host = mus_freebusy_host(batch->urls[i]);
			const char *error;

			w.idx = i;
			if (bad_count >= MUS_FREEBUSY_HOST_FAILURES &&
			    strcmp(str_c(bad_host), host) == 0) {
				mus_freebusy_worker_failed(&w, t_strdup_printf(
					"GET %s: skipped, host %s failed %u times in a row",
					batch->urls[i], host, bad_count));
			} else if (mus_freebusy_fetch(fb, batch->urls[i],
						      mus_freebusy_worker_period,
						      &w, &error) < 0) {
				mus_freebusy_worker_failed(&w, error);
				if (strcmp(str_c(bad_host), host) != 0) {
					str_truncate(bad_host, 0);
					str_append(bad_host, host);
					bad_count = 0;
				}
				bad_count++;
			} else if (strcmp(str_c(bad_host), host) == 0) {
				bad_count = 0;
			}
		} T_END;
	}
	mus_freebusy_destroy(&fb);
	str_free(&bad_host);
}

static void mus_freebusy_local_period(time_t start, time_t end, void *context)
{
	struct mus_freebusy_worker *w = context;

	if (end > w->batch->from && start < w->batch->to)
		w->batch->period(w->idx, start, end, w->batch->context);
}

/* one process: no fork, results straight to the callbacks */
static void mus_freebusy_batch_local(const struct mus_freebusy_batch *batch)
{
	struct mus_freebusy_worker w = { .batch = batch };
	struct mus_freebusy *fb;

	fb = mus_freebusy_create(batch->timeout_msecs, batch->max_size);
	for (w.idx = 0; w.idx < batch->count; w.idx++) {
		T_BEGIN {
			const char *error;

			if (mus_freebusy_fetch(fb, batch->urls[w.idx],
					       mus_freebusy_local_period, &w,
					       &error) < 0)
				batch->failed(w.idx, error, batch->context);
		} T_END;
	}
	mus_freebusy_destroy(&fb);
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

int mus_freebusy_fetch_batch(const struct mus_freebusy_batch *batch,
			     const char **error_r)
{
	unsigned int workers = batch->workers;
	struct pollfd fds[8];
	buffer_t *bufs[8];
	pid_t pids[8];
	unsigned int open_count = 0;
	int ret = 0;

	if (workers > N_ELEMENTS(fds))
		workers = N_ELEMENTS(fds);
	if (workers > batch->count)
		workers = batch->count;
	if (workers <= 1) {
		mus_freebusy_batch_local(batch);
		return 0;
	}
	for (unsigned int i = 0; i < workers; i++) {
		int pipefd[2];

		if (pipe(pipefd) < 0) {
			*error_r = t_strdup_printf("pipe() failed: %m");
			ret = -1;
			break;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			*error_r = t_strdup_printf("fork() failed: %m");
			i_close_fd(&pipefd[0]);
			i_close_fd(&pipefd[1]);
			ret = -1;
			break;
		}
		if (pids[i] == 0) {
			for (unsigned int j = 0; j < open_count; j++)
				(void)close(fds[j].fd);
			(void)close(pipefd[0]);
			mus_freebusy_worker_run(batch, i, workers, pipefd[1]);
			_exit(0);
		}
		(void)close(pipefd[1]);
		fds[open_count].fd = pipefd[0];
		fds[open_count].events = POLLIN;
		bufs[open_count] = buffer_create_dynamic(default_pool, 65536);
		open_count++;
	}

	for (unsigned int live = open_count; live > 0; ) {
		if (poll(fds, open_count, -1) < 0) {
			if (errno == EINTR)
				continue;
			*error_r = t_strdup_printf("poll() failed: %m");
			ret = -1;
			break;
		}
		for (unsigned int i = 0; i < open_count; i++) {
			unsigned char chunk[65536];
			ssize_t n;

			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				i_close_fd(&fds[i].fd);
				fds[i].fd = -1;
				live--;
				continue;
			}
			buffer_append(bufs[i], chunk, n);
			mus_freebusy_dispatch(batch, bufs[i]);
		}
	}
	for (unsigned int i = 0; i < open_count; i++) {
		int status;

		if (fds[i].fd >= 0) {
			(void)kill(pids[i], SIGTERM);
			i_close_fd(&fds[i].fd);
		}
		(void)waitpid(pids[i], &status, 0);
		if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			*error_r = t_strdup_printf("free/busy worker %d failed (status %d)",
						   (int)pids[i], status);
			ret = -1;
		}
		buffer_free(&bufs[i]);
	}
	return ret;
}
