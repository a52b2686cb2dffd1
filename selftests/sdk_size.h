/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of other sizes, for the tests of the size check of struct
 * uevt_event (sdk_host_test, sdk_test): one as a newer header would define
 * it, larger, with a tail this library does not know, and one below the
 * first layout.
 */
#ifndef _SDK_SIZE_H
#define _SDK_SIZE_H

#include <stdint.h>
#include <string.h>
#include <uevt.h>

struct sdk_sized_events {
	struct {
		struct uevt_event ev;
		uint8_t newer[24];
	} big;
	uint8_t newer[24];		/* what big.newer must still hold */
	struct uevt_event small;	/* size below the minimum, the rest 0x5a */
	struct uevt_event small_was;	/* its bytes before */
};

static inline void sdk_sized_events_init(struct sdk_sized_events *s,
					 const char *big_desc, const char *small_desc)
{
	memset(s, 0, sizeof(*s));
	s->big.ev.size = sizeof(s->big);
	s->big.ev.write_index = -1;
	s->big.ev.desc = big_desc;
	memset(s->big.newer, 0xa5, sizeof(s->big.newer));
	memcpy(s->newer, s->big.newer, sizeof(s->newer));
	memset(&s->small, 0x5a, sizeof(s->small));
	s->small.size = UEVT_EVENT_SIZE_VER0 - 1;
	s->small.desc = small_desc;
	s->small_was = s->small;
}

/* Neither the small event nor the big one's unknown tail was written. */
static inline int sdk_sized_events_untouched(const struct sdk_sized_events *s)
{
	return !memcmp(&s->small, &s->small_was, sizeof(s->small)) &&
	       !memcmp(s->newer, s->big.newer, sizeof(s->newer));
}

#endif
