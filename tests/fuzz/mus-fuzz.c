/* What every libFuzzer target shares; linked into each of them. */

#include "lib.h"
#include "mus-time.h"
#include "mus-fuzz.h"

void mus_fuzz_init(void)
{
	static bool initialized = FALSE;

	if (initialized)
		return;
	lib_init();
	mus_time_init();
	initialized = TRUE;
}
