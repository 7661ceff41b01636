/* libFuzzer target for the free/busy parser: every input is the body a
   calFBURL server sent, given to mus_freebusy_parse() as it is. Built and
   run by `make fuzz`. */

#include "lib.h"
#include "mus-freebusy.h"
#include "mus-fuzz.h"


static void fuzz_period(time_t start, time_t end, void *context)
{
	unsigned int *count = context;

	/* a busy period never ends before it starts */
	i_assert(start <= end);
	(*count)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mus_fuzz_init();
	T_BEGIN {
		unsigned int count = 0;
		const char *error;
		int ret;

		ret = mus_freebusy_parse((const char *)data, size, fuzz_period,
					 &count, &error);
		i_assert(ret < 0 || (unsigned int)ret == count);
	} T_END;
	return 0;
}
