// SPDX-License-Identifier: GPL-2.0
/*
 * The two status files: /dev/uevt-status in the built-in's
 * user_events_status format, open to whoever may open /dev/uevt, and
 * /proc/uevt, the full listing, for CAP_PERFMON only.
 */
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

/* The whole of /dev/uevt-status, malloc'd; NULL with errno on failure. */
static char *read_brief(void)
{
	FILE *f = fopen(UEVT_STATUS_DEVICE_PATH, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Does @text have exactly the line @line? */
static int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return 1;
	return 0;
}

FIXTURE(st)
{
	int fd;
	volatile uint32_t *word;
	struct tracefs_instance *inst;
};

FIXTURE_SETUP(st)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->word = private_word();
	ASSERT_NE(NULL, self->word);
	self->inst = test_instance("status");
	ASSERT_NE(NULL, self->inst);
}

FIXTURE_TEARDOWN(st)
{
	test_instance_destroy(self->inst);
	close(self->fd);
}

/*
 * Three events: one enabled by an ftrace instance, one by perf, one by
 * nobody.  Their lines say so in the built-in's words; the totals count
 * every line listed and every "Used by" among them.
 */
TEST_F(st, brief_file_has_the_builtin_format)
{
	int perf_fd, active = -1, busy = -1, lines = 0, used = 0;
	char *text, *p;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_ftrace u32 a", (void *)self->word, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_perf u32 a", (void *)self->word, 1, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_idle u32 a", (void *)self->word, 2, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_st_ftrace"));
	perf_fd = perf_tracepoint_open(SYS, "t_st_perf");
	ASSERT_LE(0, perf_fd);

	text = read_brief();
	ASSERT_NE(NULL, text);
	EXPECT_TRUE(has_line(text, "t_st_ftrace # Used by ftrace"));
	EXPECT_TRUE(has_line(text, "t_st_perf # Used by perf"));
	EXPECT_TRUE(has_line(text, "t_st_idle"));
	/* Event lines, a blank line, then the two totals and nothing else. */
	for (p = text; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
		lines++;
		used += strstr(p, " # Used by ") && strstr(p, " # Used by ") < strchr(p, '\n');
	}
	ASSERT_EQ('\n', *p);
	EXPECT_EQ(2, sscanf(p + 1, "Active: %d\nBusy: %d\n", &active, &busy)) {
		TH_LOG("tail: %s", p + 1);
	}
	EXPECT_EQ(lines, active);
	EXPECT_EQ(used, busy);
	EXPECT_LE(3, active);
	EXPECT_LE(2, busy);
	free(text);

	close(perf_fd);
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_st_ftrace"));
	text = read_brief();
	ASSERT_NE(NULL, text);
	EXPECT_TRUE(has_line(text, "t_st_ftrace"));
	EXPECT_TRUE(has_line(text, "t_st_perf"));
	free(text);
}

/* The full listing starts with its version and parses whole. */
TEST_F(st, full_listing_has_a_version_and_parses)
{
	struct uevt_status st;
	FILE *f;
	char first[32] = "";

	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_full u32 a", (void *)self->word, 3, 4, 0, NULL));
	f = fopen(UEVT_PROC_STATUS_PATH, "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(first, sizeof(first), f));
	fclose(f);
	EXPECT_STREQ("version 1\n", first);

	ASSERT_EQ(0, uevt_status_read(UEVT_PROC_STATUS_PATH, &st));
	EXPECT_EQ(1, st.version);
	EXPECT_NE(NULL, uevt_status_next(&st, NULL, "event", "name", SYS ":t_st_full"));
	EXPECT_NE(NULL, uevt_status_next(&st, NULL, "events", NULL, NULL));
	EXPECT_NE(NULL, uevt_status_next(&st, NULL, "forks", NULL, NULL));
	uevt_status_free(&st);
}

/*
 * The cache line counts how enable-bit writes found their page.  Flips of
 * an event only this process registered write its word through the page
 * an earlier write left in the cache: hits, not misses.  Once the page is
 * zapped (MADV_DONTNEED invalidates it), the next write cannot find it
 * there and translates again: a miss, and the new page is filled.
 *
 * The counters are the module's, not this process's: other writers only
 * add to them, and a kernel that moves the page (compaction, NUMA
 * balancing) or an invalidation overlapping a translation makes a write
 * miss or a fill not happen now and then.  So each measurement gets three
 * tries; a cache that never hits, or never fills, fails all of them.
 */
#define CACHE_FLIPS 20
#define CACHE_TRIES 3

/* What the cache line counts; -1 when the listing cannot be read. */
struct cache_counts {
	long hits, misses, fills;
};

static int cache_counts_read(struct cache_counts *c)
{
	c->hits = status_counter("cache", "hits");
	c->misses = status_counter("cache", "misses");
	c->fills = status_counter("cache", "fills");
	return c->hits < 0 || c->misses < 0 || c->fills < 0 ? -1 : 0;
}

/*
 * Enable and disable the events @regex matches CACHE_FLIPS times, each
 * time until bit 5 of @word shows it: what the cache counted meanwhile.
 */
static int flip_counted(struct tracefs_instance *inst, const char *regex,
			volatile uint32_t *word, struct cache_counts *delta)
{
	struct cache_counts before;
	int i;

	if (cache_counts_read(&before))
		return -1;
	for (i = 0; i < CACHE_FLIPS; i++) {
		if (tracefs_event_enable(inst, SYS, regex) ||
		    wait_bits(word, 1U << 5, 1U << 5, 5000) ||
		    tracefs_event_disable(inst, SYS, regex) ||
		    wait_bits(word, 1U << 5, 0, 5000))
			return -1;
	}
	if (cache_counts_read(delta))
		return -1;
	delta->hits -= before.hits;
	delta->misses -= before.misses;
	delta->fills -= before.fills;
	return 0;
}

/* Flip the event CACHE_FLIPS times: did most of those writes hit? */
static int flips_hit(struct tracefs_instance *inst, volatile uint32_t *word)
{
	struct cache_counts d;

	if (flip_counted(inst, "^t_st_cache$", word, &d))
		return -1;
	ksft_print_msg("%d flips: %ld hits, %ld misses\n", CACHE_FLIPS, d.hits, d.misses);
	/* Each write is a hit or a miss; each miss fills, so few miss. */
	return d.hits + d.misses >= 2 * CACHE_FLIPS && d.hits >= CACHE_FLIPS &&
	       d.misses < CACHE_FLIPS;
}

/* Zap the word's page and enable: does the write miss, then fill? */
static int zap_misses_and_fills(struct tracefs_instance *inst, volatile uint32_t *word)
{
	long misses = status_counter("cache", "misses");
	long fills = status_counter("cache", "fills");
	int ms, ret = 0;

	if (misses < 0 || fills < 0 || madvise((void *)word, 4096, MADV_DONTNEED) ||
	    tracefs_event_enable(inst, SYS, "^t_st_cache$"))
		return -1;
	/*
	 * Not present any more: the write may be owed, then made by a worker,
	 * which sets the bit before it counts the fill.  Wait for both.
	 */
	for (ms = 0; ms < 5000 && !ret; ms += 10) {
		ret = (*word & (1U << 5)) && status_counter("cache", "misses") > misses &&
		      status_counter("cache", "fills") > fills;
		if (!ret)
			usleep(10000);
	}
	if (tracefs_event_disable(inst, SYS, "^t_st_cache$") || (*word & (1U << 5)))
		return -1;
	return ret;
}

TEST_F(st, cache_line_counts_hits_misses_and_fills)
{
	int i, ret = 0;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_cache u32 a", (void *)self->word, 5, 4, 0, NULL));
	for (i = 0; i < CACHE_TRIES && ret == 0; i++)
		ret = flips_hit(self->inst, self->word);
	ASSERT_EQ(1, ret);
	for (i = 0, ret = 0; i < CACHE_TRIES && ret == 0; i++)
		ret = zap_misses_and_fills(self->inst, self->word);
	ASSERT_EQ(1, ret);
}

/*
 * A word in a shared file mapping is never remembered: a file folio is
 * marked dirty under its lock, so every write translates the address
 * again.  ramfs gives file pages that are not swap-backed, and needs no
 * disk.  Every flip's write is a miss and none fills; other writers (none
 * run beside this test) could only add fills, so a try that sees one is
 * tried again, and a cache that keeps file pages fails all three.
 */
static int file_flips_miss(struct tracefs_instance *inst, volatile uint32_t *word)
{
	struct cache_counts d;

	if (flip_counted(inst, "^t_st_file$", word, &d))
		return -1;
	ksft_print_msg("%d flips of a file page: %ld misses, %ld fills\n", CACHE_FLIPS, d.misses,
		       d.fills);
	return d.misses >= 2 * CACHE_FLIPS && d.fills == 0;
}

TEST_F(st, file_pages_are_translated_on_every_write)
{
	char dir[] = "/tmp/uevt-ramfs-XXXXXX", path[64];
	volatile uint32_t *word;
	int i, ret = 0, file;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("none", dir, "ramfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/word", dir);
	file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, ftruncate(file, 4096));
	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT_NE(MAP_FAILED, word);
	*word = 0;
	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_file u32 a", (void *)word, 5, 4, 0, NULL));
	for (i = 0; i < CACHE_TRIES && ret == 0; i++)
		ret = file_flips_miss(self->inst, word);
	EXPECT_EQ(1, ret);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)word, 5));
	munmap((void *)word, 4096);
	close(file);
	EXPECT_EQ(0, umount(dir));
	rmdir(dir);
}

/* A comm with a space and a backslash comes back whole from the parser. */
TEST_F(st, comm_with_spaces_is_escaped_and_parsed_back)
{
	struct status_line *line;
	volatile uint32_t *child_word;
	int ready[2], done[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile uint32_t *w = private_word();

		close(done[1]);
		if (!w || prctl(PR_SET_NAME, "a b\\c") ||
		    uevt_reg(self->fd, "t_st_comm u32 a", (void *)w, 0, 4, 0, NULL))
			_exit(1);
		/* Listed until we exit: wait for the parent to have looked. */
		if (write(ready[1], &w, sizeof(w)) != sizeof(w) || read(done[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(done[0]);
	ASSERT_EQ((ssize_t)sizeof(child_word), read(ready[0], &child_word, sizeof(child_word)));
	line = enabler_line_of(pid, child_word, 0);
	EXPECT_NE(NULL, line);
	EXPECT_STREQ("a b\\c", status_str(line, "comm"));
	EXPECT_STREQ(SYS ":t_st_comm", status_str(line, "event"));
	status_line_free(line);
	close(done[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(ready[0]);
	close(ready[1]);
}

/*
 * The listing streams one process at a time: read in small chunks, it
 * still lists every bit of a parent and of each child it forked (which
 * share its registrations), no line cut or repeated at a chunk boundary.
 */
TEST_F_TIMEOUT(st, full_listing_streams_every_process_whole, 180)
{
	enum { BITS = 1024, CHILDREN = 8 };
	uint32_t *words = calloc(BITS / 32, sizeof(*words));
	pid_t kids[CHILDREN];
	int done[2], ready[2], i, fd, n = 0, total = 0;
	char chunk[113], *all = NULL;
	size_t len = 0;
	FILE *mem;
	struct uevt_status st;

	ASSERT_NE(NULL, words);
	for (i = 0; i < BITS; i++)
		ASSERT_EQ(0, uevt_reg(self->fd, "t_st_many u32 a", &words[i / 32], i % 32, 4, 0,
				      NULL));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < CHILDREN; i++) {
		char c = 'r';

		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			close(done[1]);
			_exit(write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0);
		}
	}
	/* A child joins before its first instruction: running, it is listed. */
	for (i = 0; i < CHILDREN; i++)
		ASSERT_EQ(1, read(ready[0], chunk, 1));
	mem = open_memstream(&all, &len);
	ASSERT_NE(NULL, mem);
	fd = open(UEVT_PROC_STATUS_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while ((n = (int)read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, mem);
	EXPECT_EQ(0, n);
	close(fd);
	fclose(mem);
	mem = fmemopen(all, len, "r");
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, uevt_status_parse(mem, &st));
	fclose(mem);
	for (i = -1; i < CHILDREN; i++) {
		char pid[16];
		const struct uevt_status_line *l = NULL;
		int bits = 0;

		snprintf(pid, sizeof(pid), "%d", i < 0 ? getpid() : kids[i]);
		while ((l = uevt_status_next(&st, l, "enabler", "tgid", pid)))
			bits += !strcmp(uevt_status_get(l, "event") ?: "", SYS ":t_st_many");
		EXPECT_EQ(BITS, bits) {
			TH_LOG("process %s: %d bits listed", pid, bits);
		}
		total += bits;
	}
	EXPECT_EQ(BITS * (CHILDREN + 1), total);
	uevt_status_free(&st);
	free(all);
	close(done[1]);
	for (i = 0; i < CHILDREN; i++)
		waitpid(kids[i], NULL, 0);
	close(done[0]);
	close(ready[0]);
	close(ready[1]);
	for (i = 0; i < BITS; i++)
		uevt_unreg(self->fd, &words[i / 32], i % 32);
	free(words);
}

static int nobody_reads(void *arg)
{
	char *text;
	int fd;

	(void)arg;
	text = read_brief();
	if (!text || !strstr(text, "\nActive: "))
		return 1;
	free(text);
	fd = open(UEVT_PROC_STATUS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EPERM)
		return 2;
	return 0;
}

/*
 * An unprivileged reader allowed to open /dev/uevt gets the brief file and
 * is refused the per-process listing, though /proc/uevt's mode lets it try.
 */
TEST_F(st, unprivileged_reader_gets_brief_file_not_listing)
{
	struct stat dev, brief, full;
	int ret;

	ASSERT_EQ(0, stat(UEVT_DEVICE_PATH, &dev));
	ASSERT_EQ(0, stat(UEVT_STATUS_DEVICE_PATH, &brief));
	ASSERT_EQ(0, stat(UEVT_PROC_STATUS_PATH, &full));
	/* The brief file has /dev/uevt's read bits and no others. */
	EXPECT_EQ(dev.st_mode & 0444, brief.st_mode & 0777);
	EXPECT_EQ(0444U, full.st_mode & 0777);

	ASSERT_EQ(0, uevt_reg(self->fd, "t_st_nobody u32 a", (void *)self->word, 4, 4, 0, NULL));
	/* As a packaged system's group would: everyone may open both devices. */
	ASSERT_EQ(0, chmod(UEVT_DEVICE_PATH, 0666));
	ASSERT_EQ(0, chmod(UEVT_STATUS_DEVICE_PATH, 0444));
	ret = call_as_nobody(nobody_reads, NULL);
	chmod(UEVT_DEVICE_PATH, dev.st_mode & 0777);
	chmod(UEVT_STATUS_DEVICE_PATH, brief.st_mode & 0777);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s", ret == 1 ? "brief file not readable" :
		       ret == 2 ? "full listing not refused with EPERM" : "child failed");
	}
}

TEST_HARNESS_MAIN
