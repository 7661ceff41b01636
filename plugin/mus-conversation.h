#ifndef MUS_CONVERSATION_H
#define MUS_CONVERSATION_H

/* A conversation (musConversation) as stored under its round. */

struct mus_ldap;
struct mus_ldap_search;

enum mus_conv_status {
	MUS_CONV_NEW = 0,
	MUS_CONV_SCHEDULED,
	MUS_CONV_INVITED,
	MUS_CONV_ACCEPTED,
	MUS_CONV_DECLINED,
	MUS_CONV_RESCHEDULING,
	MUS_CONV_HELD,
	MUS_CONV_PLAN_REQUESTED,
	MUS_CONV_PLAN_PENDING,
	MUS_CONV_APPROVED,
	MUS_CONV_CANCELLED,
	MUS_CONV_UNSCHEDULABLE,
	MUS_CONV_FAILED,

	MUS_CONV_STATUS_COUNT
};

struct mus_conversation {
	const char *dn, *cn, *csn;
	const char *leader_dn, *leader_ndn;
	const char *const *employee_dns;	/* as stored */
	const char *const *employee_ndns;	/* normalised */
	const char *team_dn;
	enum mus_conv_status status;
	time_t start, end;			/* 0: not scheduled */
	const char *ical_uid;
	unsigned int sequence;
	int sent_sequence;			/* -1: never sent */
	const char *sent_digest;		/* of the content last sent */
	const char *const *sent_to;		/* "<sequence> <address>" */
	const char *reason;
	/* a value did not parse: status is failed and reason says which;
	   sync and send leave the entry alone until an admin mends it */
	bool unreadable;
	const char *const *cards_leader;	/* codes chosen by the leader */
	const char *const *cards_employee;	/* and by the employee(s) */
	const char *const *partstat;		/* "<PARTSTAT> <attendee DN>" */
	const char *const *partstat_comments;	/* "<attendee DN> <text>" */
	/* "<start> <end> <attendee DN>": times declined, busy for that
	   person when the conversation is placed again */
	const char *const *declined;
	/* a proposed new time waiting for sync, "<start> <end> <DN>", and a
	   refused one waiting for its DECLINECOUNTER, "<start> <end> <DN>
	   <reason>"; NULL if none */
	const char *counter, *counter_refused;
	/* addresses that asked for the current invitation again */
	const char *const *refresh;
	/* the development plan: when the form went to the leader (0: not
	   yet), the draft waiting for approval (JSON as mus-plan-json
	   writes it, or NULL) and how many drafts were stored */
	time_t plan_requested;
	const char *plan_draft;
	unsigned int plan_version;
	/* musPlanApproval: "<version> <GeneralizedTime> <DN>" */
	const char *const *plan_approvals;
	/* the iCalendar UID of the follow-up meeting, whose answers approve
	   the plan; NULL if none */
	const char *followup_uid;
	/* the time chosen for the follow-up meeting (0: none yet), kept for
	   later versions of the plan */
	time_t followup_start, followup_end;
	/* musFollowUpSentTo: "<plan version> <address>" */
	const char *const *followup_sent_to;
	/* the competence form (musCompetenceAssessment): the profile it was
	   sent for (NULL: none yet), when it went to everybody (0: not yet),
	   who has it (addresses), and the answers, "<code> <level>" */
	const char *job_profile_ref;
	time_t competence_form_sent;
	const char *const *competence_form_sent_to;
	const char *const *assessment_employee, *const *assessment_leader;
};
ARRAY_DEFINE_TYPE(mus_conversation, struct mus_conversation *);

extern const char *const mus_conversation_attrs[];

/* A conversation not in the directory yet, from pool: never sent, every
   list empty (never NULL), everything else zero. */
struct mus_conversation *mus_conversation_new(pool_t pool);

const char *mus_conv_status_name(enum mus_conv_status status);
/* Returns TRUE and the status if name is one. */
bool mus_conv_status_parse(const char *name, enum mus_conv_status *status_r);
/* TRUE if the conversation holds its time slot (scheduled and not given
   up): its people are busy then. */
bool mus_conv_status_holds_slot(enum mus_conv_status status);
/* TRUE if the conversation took place (held, and maybe its plan on the
   way or approved). */
bool mus_conv_status_took_place(enum mus_conv_status status);
/* TRUE if the conversation waits for a slot. */
bool mus_conv_status_wants_slot(enum mus_conv_status status);

/* The iCalendar UID of conversation cn of round round_dn: stable across
   hosts and runs, so that two syncs creating the same conversation write
   the same UID, with the domain of the organizer address. With purpose
   NULL the conversation's own UID (musICalUID); with a purpose
   ("follow-up") the UID of another meeting of the same conversation.
   From the data stack. */
const char *mus_conversation_uid(const char *round_dn, const char *cn,
				 const char *purpose, const char *organizer);

/* The short reference of a conversation that mails carry in their
   subject ("[7f3a9c2e]"): the start of its musICalUID, from the data
   stack ("" without one). A reply names the conversation by it. */
#define MUS_CONVERSATION_REFERENCE_LEN 8
const char *mus_conversation_reference(const struct mus_conversation *conv);

/* TRUE if conv is a team's (GRUS/TUS: a musTeam, or several employees),
   whose development plan is one plan for every member. */
bool mus_conversation_is_team(const struct mus_conversation *conv);

/* TRUE if the conversation took place: its end has passed (at now) and it
   was invited or accepted, not declined, moved, cancelled or failed. Sync
   makes it held. */
bool mus_conversation_is_over(const struct mus_conversation *conv, time_t now);

/* A time a conversation holds its people for: [start, end). */
struct mus_conv_meeting {
	time_t start, end;
};
/* The meetings conv holds its people for, in meetings_r: the
   conversation while it holds its slot, and its follow-up meeting while
   its plan waits for approval. Returns how many (0-2); none for an
   unreadable conversation. Whoever places another meeting of the same
   people keeps clear of these. */
unsigned int mus_conversation_meetings(const struct mus_conversation *conv,
				       struct mus_conv_meeting meetings_r[2]);

/* The SEQUENCE an answer must carry to count: the one last sent, or the
   newer one a sync has written (with a new time, attendees or cards)
   before sending it. An answer to an older SEQUENCE answers what is being
   replaced. Returns -1 if nothing was ever sent. */
int mus_conversation_answerable_sequence(const struct mus_conversation *conv);

/* Read every conversation below round_dn (paged). Entries whose values do
   not parse are read as far as possible, marked unreadable, with status
   failed and the problem as reason. Returns 0, or -1 if the directory failed. */
int mus_conversations_load(struct mus_ldap *conn, pool_t pool,
			   const char *round_dn,
			   ARRAY_TYPE(mus_conversation) *convs,
			   const char **error_r);
/* The same for the conversations matching filter anywhere below base. */
int mus_conversations_search(struct mus_ldap *conn, pool_t pool,
			     const char *base, const char *filter,
			     ARRAY_TYPE(mus_conversation) *convs,
			     const char **error_r);

/* The same, unpaged, for a filter that finds a few conversations (a UID,
   a reference), with the search along (if not NULL) sent at the same
   time: the two share one wait for the directory. */
int mus_conversations_find(struct mus_ldap *conn, pool_t pool,
			   const char *base, const char *filter,
			   const struct mus_ldap_search *along,
			   ARRAY_TYPE(mus_conversation) *convs,
			   const char **error_r);

/* Read the one conversation dn (as mus_conversations_load() reads it):
   returns 1 with *conv_r from pool, 0 if there is no such entry or it is
   no musConversation, -1 if the directory failed. */
int mus_conversation_read(struct mus_ldap *conn, pool_t pool, const char *dn,
			  struct mus_conversation **conv_r, const char **error_r);

/* One try at a write to conv asserting its entryCSN: 1 written or nothing
   to do, 0 changed by another writer meanwhile, -1 on error. */
typedef int mus_conversation_try_t(const struct mus_conversation *conv,
				   void *context, const char **error_r);
/* Call try_write on conv, and on a conflict read the conversation again
   and try once more, up to attempts times ("what" names the write in the
   error when it keeps changing). Returns 1 when done, 0 if the
   conversation was deleted meanwhile, -1 on error. */
int mus_conversation_update(struct mus_ldap *conn,
			    const struct mus_conversation *conv,
			    unsigned int attempts, const char *what,
			    mus_conversation_try_t *try_write, void *context,
			    const char **error_r);

/* A "<start> <end> <DN>[ -- <text>]" value (musCounter, musDeclined,
   musCounterRefused): returns TRUE with its parts (text_r "" if none;
   strings on the data stack), FALSE if it does not parse. */
bool mus_conversation_parse_span(const char *value, time_t *start_r,
				 time_t *end_r, const char **dn_r,
				 const char **text_r);
/* The value "<start> <end> <DN>" for it, on the data stack. */
const char *mus_conversation_span(time_t start, time_t end, const char *dn);
/* span with text after it, as mus_conversation_parse_span() reads it
   back; span itself when text is NULL. On the data stack. */
const char *mus_conversation_span_text(const char *span, const char *text);

#endif
