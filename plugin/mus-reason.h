#ifndef MUS_REASON_H
#define MUS_REASON_H

#include "mus-settings.h"

/* The reasons the sync records (musReason, the refusal in
   musCounterRefused) are English, for the admin who reads the directory
   and the log. The mails that carry them to leaders and employees (a
   CANCEL, the answer to a proposed time) say them in the reader's
   language: this is the Danish of every reason the scheduler, the roster
   and the sync give. A reason it does not know stays as it is. From the
   data stack. */
const char *mus_reason_text(const char *reason, enum mus_language language);

#endif
