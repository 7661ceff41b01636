/* The reasons of the sync in the reader's language. */

#include "lib.h"
#include "mus-schedule.h"
#include "mus-roster.h"
#include "mus-sync.h"
#include "mus-reason.h"

struct mus_reason_words {
	/* the English reason, or how it begins when it has values */
	const char *english;
	bool prefix;
	const char *danish;
};

static const struct mus_reason_words mus_reason_words[] = {
	{ MUS_SCHEDULE_PASSED, FALSE, "tidspunktet er overstået" },
	{ MUS_SCHEDULE_LENGTH, TRUE,
	  "tidspunktet har ikke samme varighed som rundens samtaler" },
	{ MUS_SCHEDULE_HOURS, TRUE,
	  "tidspunktet ligger ikke i arbejdstiden på en arbejdsdag i rundens periode" },
	{ MUS_SCHEDULE_LEADER_FULL, TRUE,
	  "lederen har allerede så mange samtaler den dag, som runden tillader" },
	{ MUS_SCHEDULE_LEADER_BUSY, FALSE,
	  "lederen er optaget på det tidspunkt eller har en anden samtale for tæt på" },
	{ MUS_SCHEDULE_TEAM_BUSY, FALSE,
	  "et medlem af teamet er optaget på det tidspunkt" },
	{ MUS_SCHEDULE_EMPLOYEE_BUSY, FALSE,
	  "medarbejderen er optaget på det tidspunkt eller har en anden samtale for tæt på" },
	{ MUS_SCHEDULE_NO_SLOT, TRUE,
	  "der er ikke et ledigt tidspunkt i rundens periode" },
	{ MUS_SCHEDULE_NO_DAY, FALSE, "rundens periode har ingen arbejdsdag" },
	{ MUS_SCHEDULE_NO_DAY_LEFT, FALSE,
	  "rundens periode har ingen arbejdsdag tilbage" },
	{ MUS_SYNC_LEFT_THE_ROUND, FALSE,
	  "samtalen er ikke længere en del af runden: medarbejderen har fået en "
	  "anden leder eller er ikke længere med i runden" },
	{ "the employee " MUS_ROSTER_EXEMPT, FALSE,
	  "medarbejderen er fritaget for samtalen" },
	{ "the leader " MUS_ROSTER_EXEMPT, FALSE,
	  "lederen er fritaget for samtalen" },
	{ "the employee " MUS_ROSTER_ABSENT, TRUE,
	  "medarbejderen er fraværende til efter rundens periode" },
	{ "the leader " MUS_ROSTER_ABSENT, TRUE,
	  "lederen er fraværende til efter rundens periode" },
};

const char *mus_reason_text(const char *reason, enum mus_language language)
{
	if (language != MUS_LANGUAGE_DA || reason == NULL)
		return reason;
	for (unsigned int i = 0; i < N_ELEMENTS(mus_reason_words); i++) {
		const struct mus_reason_words *w = &mus_reason_words[i];

		if (w->prefix ? str_begins(reason, w->english) :
		    strcmp(reason, w->english) == 0)
			return w->danish;
	}
	return reason;
}
