#ifndef MUS_FUZZ_H
#define MUS_FUZZ_H

/* What every libFuzzer target of tests/fuzz/ shares. */

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Dovecot's lib and the time zones, set up on the first call of the
   process; later calls do nothing. */
void mus_fuzz_init(void);

#endif
