/* Busy time from calFBURL: libcurl for HTTP, libical for VFREEBUSY. */

#include "lib.h"
#include "array.h"
#include "buffer.h"
#include "str.h"
#include "fd-util.h"
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

/* What a process remembers between fetches: its connections, and the
   server that did not answer last (see mus_freebusy_fetch_batch()). */
struct mus_freebusy_fetcher {
	struct mus_freebusy_worker *w;
	struct mus_freebusy *fb;
	string_t *bad_host;
	unsigned int bad_count;
};

static void mus_freebusy_fetcher_init(struct mus_freebusy_fetcher *f,
				      struct mus_freebusy_worker *w)
{
	i_zero(f);
	f->w = w;
	f->fb = mus_freebusy_create(w->batch->timeout_msecs, w->batch->max_size);
	f->bad_host = str_new(default_pool, 64);
}

static void mus_freebusy_fetcher_deinit(struct mus_freebusy_fetcher *f)
{
	mus_freebusy_destroy(&f->fb);
	str_free(&f->bad_host);
}

static void mus_freebusy_fetch_one(struct mus_freebusy_fetcher *f,
				   unsigned int idx, const char *url)
{
	struct mus_freebusy_worker *w = f->w;

	T_BEGIN {
		const char *host = mus_freebusy_host(url);
		const char *error;
		int ret;

		w->idx = idx;
		if (f->bad_count >= MUS_FREEBUSY_HOST_FAILURES &&
		    strcmp(str_c(f->bad_host), host) == 0) {
			mus_freebusy_worker_failed(w, t_strdup_printf(
				"GET %s: skipped, server %s did not answer %u times in a row",
				url, host, f->bad_count));
		} else if ((ret = mus_freebusy_fetch(f->fb, url,
						     mus_freebusy_worker_period,
						     w, &error)) < 0) {
			mus_freebusy_worker_failed(w, error);
			if (ret == -2) {
				if (strcmp(str_c(f->bad_host), host) != 0) {
					str_truncate(f->bad_host, 0);
					str_append(f->bad_host, host);
					f->bad_count = 0;
				}
				f->bad_count++;
			}
		} else if (strcmp(str_c(f->bad_host), host) == 0) {
			f->bad_count = 0;
		}
	} T_END;
}

/* ---- runs ---- */

/* The URLs of a run as the workers see them: a shared mapping the
   calling process appends to while the workers take URLs from the front,
   and from whose end the caller takes what is left once it is free.
   Pages are only allocated when touched, so the maxima cost nothing; URLs
   beyond them are fetched by the caller. */
#define MUS_FREEBUSY_SHARED_URLS (1024 * 1024)
#define MUS_FREEBUSY_SHARED_TEXT (64 * 1024 * 1024)

struct mus_freebusy_shared {
	/* URLs the workers may take; written by the caller only */
	uint32_t published;
	/* one byte per URL: taken or not */
	unsigned char claims[MUS_FREEBUSY_SHARED_URLS];
	/* where each URL starts in text */
	uint32_t offsets[MUS_FREEBUSY_SHARED_URLS];
	char text[MUS_FREEBUSY_SHARED_TEXT];
};

struct mus_freebusy_run {
	const struct mus_freebusy_batch *batch;
	/* every URL, also those not shared */
	ARRAY_TYPE(const_string) urls;
	size_t text_used;
	/* NULL: no workers, the caller fetches everything */
	struct mus_freebusy_shared *shared;
	/* the caller writes a byte here for each URL it shares and closes it
	   when it has no more */
	int notify_fd;
	unsigned int count;
	pid_t pids[8];
	int fds[8];
};

static bool mus_freebusy_claim(struct mus_freebusy_shared *shared,
			       unsigned int idx)
{
	return __atomic_exchange_n(&shared->claims[idx], 1, __ATOMIC_ACQ_REL) == 0;
}

/* Wait until the caller shares more URLs. Returns FALSE when it has
   closed the run: nothing more comes. */
static bool mus_freebusy_worker_wait(int fd)
{
	char buf[256];
	ssize_t ret;

	do {
		ret = read(fd, buf, sizeof(buf));
	} while (ret < 0 && errno == EINTR);
	return ret > 0;
}

static void mus_freebusy_worker_run(const struct mus_freebusy_batch *batch,
				    struct mus_freebusy_shared *shared,
				    int notify_fd, int fd)
{
	struct mus_freebusy_worker w = { .batch = batch, .fd = fd };
	struct mus_freebusy_fetcher f;
	bool open = TRUE;

	w.out = buffer_create_dynamic(default_pool, MUS_FREEBUSY_WORKER_CHUNK + 4096);
	mus_freebusy_fetcher_init(&f, &w);
	for (unsigned int i = 0;; i++) {
		while (i >= __atomic_load_n(&shared->published, __ATOMIC_ACQUIRE)) {
			if (!open)
				goto done;
			open = mus_freebusy_worker_wait(notify_fd);
		}
		if (mus_freebusy_claim(shared, i))
			mus_freebusy_fetch_one(&f, i, shared->text + shared->offsets[i]);
	}
done:
	mus_freebusy_fetcher_deinit(&f);
	mus_freebusy_worker_flush(&w);
	buffer_free(&w.out);
}

/* The caller's share: every URL no worker has taken, from the end. */
static void mus_freebusy_run_local(struct mus_freebusy_run *run)
{
	struct mus_freebusy_worker w = { .batch = run->batch, .local = TRUE };
	struct mus_freebusy_fetcher f;
	unsigned int count = array_count(&run->urls);
	uint32_t shared = run->shared == NULL ? 0 : run->shared->published;

	mus_freebusy_fetcher_init(&f, &w);
	for (unsigned int k = 0; k < count; k++) {
		unsigned int i = count - 1 - k;

		if (i >= shared || mus_freebusy_claim(run->shared, i))
			mus_freebusy_fetch_one(&f, i, array_idx_elem(&run->urls, i));
	}
	mus_freebusy_fetcher_deinit(&f);
}

/* Read whole records from buf; keep a partial one for later. */
static void mus_freebusy_dispatch(const struct mus_freebusy_run *run,
				  buffer_t *buf)
{
	const struct mus_freebusy_batch *batch = run->batch;
	unsigned int count = array_count(&run->urls);
	const unsigned char *data = buf->data;
	size_t pos = 0;

	while (buf->used - pos >= sizeof(struct mus_freebusy_record)) {
		struct mus_freebusy_record rec;

		memcpy(&rec, data + pos, sizeof(rec));
		if (rec.error_len > 0) {
			if (buf->used - pos - sizeof(rec) < rec.error_len)
				break;
			if (rec.idx < count) {
				T_BEGIN {
					batch->failed(rec.idx, t_strndup(
						data + pos + sizeof(rec), rec.error_len),
						batch->context);
				} T_END;
			}
		} else if (rec.idx < count) {
			batch->period(rec.idx, (time_t)rec.start, (time_t)rec.end,
				      batch->context);
		}
		pos += sizeof(rec) + rec.error_len;
	}
	buffer_delete(buf, 0, pos);
}

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

void mus_freebusy_batch_add(struct mus_freebusy_run *run, const char *url)
{
	struct mus_freebusy_shared *shared = run->shared;
	unsigned int idx = array_count(&run->urls);
	size_t size = strlen(url) + 1;

	array_push_back(&run->urls, &url);
	/* URLs are shared in order: once one does not fit, none after it */
	if (shared == NULL || shared->published != idx ||
	    idx >= MUS_FREEBUSY_SHARED_URLS ||
	    size > MUS_FREEBUSY_SHARED_TEXT - run->text_used)
		return;
	memcpy(shared->text + run->text_used, url, size);
	shared->offsets[idx] = run->text_used;
	run->text_used += size;
	__atomic_store_n(&shared->published, idx + 1, __ATOMIC_RELEASE);
	if (write(run->notify_fd, "", 1) < 0) {
		/* a full pipe has enough wake-ups in it already */
	}
}

static int mus_freebusy_run_fork(struct mus_freebusy_run *run,
				 unsigned int workers, const char **error_r)
{
	int notify[2];

	run->shared = mmap(NULL, sizeof(*run->shared), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (run->shared == MAP_FAILED) {
		run->shared = NULL;
		*error_r = t_strdup_printf("mmap(%zu) failed: %m",
					   sizeof(*run->shared));
		return -1;
	}
	if (pipe(notify) < 0) {
		*error_r = t_strdup_printf("pipe() failed: %m");
		(void)munmap(run->shared, sizeof(*run->shared));
		run->shared = NULL;
		return -1;
	}
	fd_set_nonblock(notify[1], TRUE);
	run->notify_fd = notify[1];
	for (unsigned int i = 0; i < workers; i++) {
		int fd = mus_freebusy_tmpfile(error_r);

		if (fd < 0)
			break;
		run->pids[i] = fork();
		if (run->pids[i] < 0) {
			*error_r = t_strdup_printf("fork() failed: %m");
			i_close_fd(&fd);
			break;
		}
		if (run->pids[i] == 0) {
			for (unsigned int j = 0; j < run->count; j++)
				(void)close(run->fds[j]);
			(void)close(notify[1]);
			mus_freebusy_worker_run(run->batch, run->shared,
						notify[0], fd);
			_exit(0);
		}
		run->fds[run->count++] = fd;
	}
	i_close_fd(&notify[0]);
	return run->count == workers ? 0 : -1;
}

int mus_freebusy_batch_start(const struct mus_freebusy_batch *batch,
			     struct mus_freebusy_run **run_r,
			     const char **error_r)
{
	struct mus_freebusy_run *run = i_new(struct mus_freebusy_run, 1);
	unsigned int workers = batch->workers;
	int ret = 0;

	run->batch = batch;
	run->notify_fd = -1;
	i_array_init(&run->urls, batch->count > 0 ? batch->count : 256);
	*run_r = run;
	if (workers > N_ELEMENTS(run->pids))
		workers = N_ELEMENTS(run->pids);
	if (!batch->background && workers > batch->count)
		workers = batch->count;
	if (workers > 1 || (workers == 1 && batch->background))
		ret = mus_freebusy_run_fork(run, workers, error_r);
	for (unsigned int i = 0; i < batch->count; i++)
		mus_freebusy_batch_add(run, batch->urls[i]);
	return ret;
}

static void mus_freebusy_run_free(struct mus_freebusy_run *run)
{
	if (run->notify_fd != -1)
		i_close_fd(&run->notify_fd);
	if (run->shared != NULL)
		(void)munmap(run->shared, sizeof(*run->shared));
	array_free(&run->urls);
	i_free(run);
}

int mus_freebusy_batch_finish(struct mus_freebusy_run **_run,
			      const char **error_r)
{
	struct mus_freebusy_run *run = *_run;
	buffer_t *buf;
	int ret = 0;

	*_run = NULL;
	/* the workers finish what is shared and stop */
	if (run->notify_fd != -1)
		i_close_fd(&run->notify_fd);
	/* what no worker has taken yet, this process does itself (all of it
	   when there are no workers) */
	mus_freebusy_run_local(run);
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
			mus_freebusy_dispatch(run, buf);
		}
		i_close_fd(&run->fds[i]);
	}
	buffer_free(&buf);
	mus_freebusy_run_free(run);
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
	mus_freebusy_run_free(run);
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
