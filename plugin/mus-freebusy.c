/* Busy time from calFBURL: libcurl for HTTP, libical for VFREEBUSY. */

#include "lib.h"
#include "buffer.h"
#include "mus-freebusy.h"

#include <curl/curl.h>
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
