/* libFuzzer target for the settings: every input is a plugin { } block's
   name/value pairs, one "name=value" per line (a line without '=' is a
   name with an empty value), given to mus_settings_parse(). Built and run
   by `make fuzz`. */

#include "lib.h"
#include "array.h"
#include "mus-settings.h"
#include "mus-fuzz.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mus_fuzz_init();
	T_BEGIN {
		pool_t pool = pool_alloconly_create("fuzz settings", 1024);
		const char *const *lines =
			t_strsplit(t_strndup(data, size), "\n");
		const struct mus_settings *set;
		ARRAY_TYPE(const_string) envs;
		const char *error;

		t_array_init(&envs, 32);
		for (unsigned int i = 0; lines[i] != NULL; i++) {
			const char *eq = strchr(lines[i], '=');
			const char *name = eq == NULL ? lines[i] :
				t_strdup_until(lines[i], eq);
			const char *value = eq == NULL ? "" : eq + 1;

			array_push_back(&envs, &name);
			array_push_back(&envs, &value);
		}
		array_append_zero(&envs);
		if (mus_settings_parse(pool, array_front(&envs), &set,
				       &error) == 0) {
			i_assert(set->organizer != NULL && set->ldap_uri != NULL);
			/* every limit is a limit */
			i_assert(set->max_message_size > 0 &&
				 set->max_mime_parts > 0 &&
				 set->max_mime_depth > 0 &&
				 set->max_attachments > 0 &&
				 set->max_ical_size > 0 &&
				 set->max_ical_events > 0 &&
				 set->max_ical_attendees > 0);
		}
		pool_unref(&pool);
	} T_END;
	return 0;
}
