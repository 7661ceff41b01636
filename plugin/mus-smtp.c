/* Submission of messages over SMTP with libcurl. */

#include "lib.h"
#include "mus-smtp.h"

#include <curl/curl.h>

int mus_smtp_url_check(const char *value, const char **error_r)
{
	CURLU *url = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL;
	CURLUcode code;
	int ret = -1;

	if (url == NULL) {
		*error_r = "curl_url() failed: out of memory";
		return -1;
	}
	code = curl_url_set(url, CURLUPART_URL, value, 0);
	if (code != CURLUE_OK) {
		*error_r = t_strdup_printf("not a URL: %s", curl_url_strerror(code));
	} else if (curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		   (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)) {
		*error_r = "the scheme must be smtp:// or smtps://";
	} else if (curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		   host[0] == '\0') {
		*error_r = "the URL has no host";
	} else if (curl_url_get(url, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
		   strcmp(path, "/") != 0 && path[0] != '\0') {
		/* curl would send the path as the EHLO name */
		*error_r = "the URL must not have a path";
	} else {
		ret = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(url);
	return ret;
}
