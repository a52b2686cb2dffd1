// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/uevt parser (tools/lib/uevt_status.c) on listings no module
 * prints but a hostile or broken one could: under AddressSanitizer, each
 * is parsed or refused, never crashed on, never leaked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "uevt_status.h"

#include "kselftest_harness.h"

static int parse(const char *text, struct uevt_status *st)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -errno;
	ret = uevt_status_parse(f, st);
	fclose(f);
	return ret;
}

TEST(a_listing_parses_into_kinds_and_pairs)
{
	struct uevt_status st;
	const struct uevt_status_line *l;

	ASSERT_EQ(0, parse("version 1\n"
			   "events count 2 max 8192\n"
			   "event name user_events:a enabled 1 refs 3\n"
			   "forks joined 4 lost 0 failed 0\n"
			   "enabler tgid 12 comm a\\040b\\134c addr 0x7f00 bit 3 event user_events:a\n",
			   &st));
	EXPECT_EQ(1, st.version);
	EXPECT_EQ(4U, st.nlines);
	l = uevt_status_next(&st, NULL, "event", "name", "user_events:a");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3, uevt_status_num(l, "refs", -1));
	EXPECT_EQ(-1, uevt_status_num(l, "nosuchkey", -1));
	l = uevt_status_next(&st, NULL, "enabler", "tgid", "12");
	ASSERT_NE(NULL, l);
	EXPECT_STREQ("a b\\c", uevt_status_get(l, "comm"));
	EXPECT_EQ(0x7f00, uevt_status_num(l, "addr", -1));
	EXPECT_EQ(4, uevt_status_num(uevt_status_next(&st, NULL, "forks", NULL, NULL),
				     "joined", -1));
	uevt_status_free(&st);
}

/* A process may clear its comm: an empty value is a value. */
TEST(an_empty_value_keeps_the_pairs_in_step)
{
	struct uevt_status st;
	const struct uevt_status_line *l;

	ASSERT_EQ(0, parse("version 1\nenabler tgid 5 comm  addr 0x10 bit 1\n", &st));
	l = uevt_status_next(&st, NULL, "enabler", NULL, NULL);
	ASSERT_NE(NULL, l);
	EXPECT_STREQ("", uevt_status_get(l, "comm"));
	EXPECT_EQ(16, uevt_status_num(l, "addr", -1));
	EXPECT_EQ(1, uevt_status_num(l, "bit", -1));
	/* Numbers: decimal or 0x, never octal, never empty. */
	EXPECT_EQ(-1, uevt_status_num(l, "comm", -1));
	uevt_status_free(&st);
}

TEST(broken_listings_are_refused)
{
	static const char *const bad[] = {
		"",				/* no version */
		"version 2\n",			/* unknown version */
		"version 1x\n",
		"event name x\n",		/* no version line first */
		"version 1\n enabler x y\n",	/* leading space: empty kind */
		"version 1\n\n",		/* blank line */
		"version 1\nevent name\n",	/* key without value */
		"version 1\nevent  x y\n",	/* empty key */
	};
	struct uevt_status st;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EPROTO, parse(bad[i], &st)) {
			TH_LOG("accepted: \"%s\"", bad[i]);
		}
		EXPECT_EQ(0U, st.nlines);
	}
}

TEST_HARNESS_MAIN
