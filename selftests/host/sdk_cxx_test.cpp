// SPDX-License-Identifier: GPL-2.0
/*
 * <uevt.h> from C++ (-std=c++17 -Wall -Wextra -Werror): every field kind,
 * a header-shared event (DECLARE/DEFINE), and the derived descriptions,
 * which must be the same as in C.  Prints TAP.
 */
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <uevt.h>

UEVT_EVENT(cxx_all, UEVT_U8(a), UEVT_S8(b), UEVT_U16(c), UEVT_S16(d),
	   UEVT_U32(e), UEVT_S32(f), UEVT_U64(g), UEVT_S64(h), UEVT_BOOL(i),
	   UEVT_PTR(j), UEVT_CHARS(k, 6), UEVT_STRING(l), UEVT_BLOB(m));
UEVT_EVENT_DECLARE(cxx_shared, UEVT_U32(x), UEVT_STRING(s));
UEVT_EVENT_DEFINE(cxx_shared);

static int failures, n;

static void check(bool ok, const char *what)
{
	std::printf("%sok %d sdk c++: %s\n", ok ? "" : "not ", ++n, what);
	failures += !ok;
}

int main()
{
	int p[2];
	unsigned char buf[128];
	const unsigned char blob[2] = { 1, 2 };

	std::printf("TAP version 13\n1..4\n");
	check(!std::strcmp(uevt__ev_cxx_all.desc,
			   "cxx_all u8 a;s8 b;u16 c;s16 d;u32 e;s32 f;u64 g;s64 h;"
			   "u8 i;u64 j;char[6] k;__rel_loc char[] l;__rel_loc u8[] m"),
	      "every field kind gives the same description as in C");
	check(!std::strcmp(uevt__ev_cxx_shared.desc, "cxx_shared u32 x;__rel_loc char[] s"),
	      "UEVT_EVENT_DECLARE/DEFINE description");

	/* Emitting compiles and runs: disabled, then into a pipe. */
	UEVT_EMIT(cxx_all, 1, -1, 2, -2, 3, -3, 4, -4, true, &p, "abcdef", "s", blob, 2);
	if (pipe(p))
		return 1;
	uevt_fini();
	uevt_init_fd(p[1], UEVT_BACKEND_UEVT);
	uevt__ev_cxx_shared.write_index = 9;
	uevt__ev_cxx_shared.enabled = 1;
	UEVT_EMIT(cxx_shared, 42, "hello");
	check(read(p[0], buf, sizeof(buf)) == 4 + 4 + 4 + 6, "an enabled emit writes one record");
	check(buf[0] == 9 && buf[4] == 42 && !std::memcmp(buf + 12, "hello", 6),
	      "the record holds index, value and string");
	return failures ? 1 : 0;
}
