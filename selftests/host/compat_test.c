// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of libuevt-compat.so, run under it (scripts/check.sh starts
 * it with tools/uevt-run); no kernel module needed.  The library's test
 * hooks UEVT_COMPAT_DEVICE and UEVT_COMPAT_STATUS_DEVICE point the
 * redirect at regular files, so a redirect shows as a descriptor for that
 * file.  Every interposed entry point is called by its own name.
 *
 * Paths under /sys/kernel/tracing fail with ENOENT on a kernel without
 * the built-in user_events whether or not tracefs is mounted; on a kernel
 * with it the redirect tests skip, since the real file must win there.
 * The tests that mount tracefs and debugfs do it in a private mount
 * namespace, and skip without the privilege for one.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "compat.h"
#include "kselftest_harness.h"

/* glibc's fortified and pre-2.33 entry points, not declared without _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *buf);

#define DATA	"/sys/kernel/tracing/user_events_data"
#define STATUS	"/sys/kernel/tracing/user_events_status"

/* Whether @path exists, asked of the kernel past the library. */
static bool really_exists(const char *path)
{
	struct stat st;

	return syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) == 0;
}

/* The error of an open(2) of @path, made past the library (0: it opened). */
static int raw_open_errno(const char *path, int flags)
{
	int fd = syscall(SYS_openat, AT_FDCWD, path, flags, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Whether @fd is the file @path (compared by device and inode). */
static bool is_file(int fd, const char *path)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 && syscall(SYS_newfstatat, AT_FDCWD, path, &b, 0) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The interposed opens, each under one calling convention. */
static int by_open(const char *p, int flags) { return open(p, flags); }
static int by_open64(const char *p, int flags) { return open64(p, flags); }
static int by_openat(const char *p, int flags) { return openat(AT_FDCWD, p, flags); }
static int by_openat64(const char *p, int flags) { return openat64(AT_FDCWD, p, flags); }
static int by_open_2(const char *p, int flags) { return __open_2(p, flags); }
static int by_open64_2(const char *p, int flags) { return __open64_2(p, flags); }
static int by_openat_2(const char *p, int flags) { return __openat_2(AT_FDCWD, p, flags); }
static int by_openat64_2(const char *p, int flags) { return __openat64_2(AT_FDCWD, p, flags); }

/* fopen() as a descriptor: a duplicate of the stream's, or -1 and errno. */
static int from_stream(FILE *f)
{
	int fd;

	if (!f)
		return -1;
	fd = dup(fileno(f));
	fclose(f);
	return fd;
}

static int by_fopen(const char *p, int flags)
{
	return from_stream(fopen(p, (flags & O_ACCMODE) == O_RDONLY ? "r" : "r+"));
}

static int by_fopen64(const char *p, int flags)
{
	return from_stream(fopen64(p, (flags & O_ACCMODE) == O_RDONLY ? "r" : "r+"));
}

static const struct {
	const char *name;
	int (*open)(const char *path, int flags);
} openers[] = {
	{ "open", by_open }, { "open64", by_open64 },
	{ "openat", by_openat }, { "openat64", by_openat64 },
	{ "__open_2", by_open_2 }, { "__open64_2", by_open64_2 },
	{ "__openat_2", by_openat_2 }, { "__openat64_2", by_openat64_2 },
	{ "fopen", by_fopen }, { "fopen64", by_fopen64 },
};

#define N_OPENERS (sizeof(openers) / sizeof(openers[0]))

/* A directory with the files the hooks point at; the hooks are set. */
FIXTURE(compat) {
	char dir[64];
	char device[96];
	char status[96];
	char absent[96];
	char mounts[3][96];	/* mount points to detach before removal */
};

static void write_file(struct __test_metadata *_metadata, const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
}

FIXTURE_SETUP(compat)
{
	strcpy(self->dir, "/tmp/uevt-compat-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->device, sizeof(self->device), "%s/device", self->dir);
	snprintf(self->status, sizeof(self->status), "%s/status", self->dir);
	snprintf(self->absent, sizeof(self->absent), "%s/absent", self->dir);
	write_file(_metadata, self->device, "device\n");
	write_file(_metadata, self->status, "status\n");
	ASSERT_EQ(0, setenv("UEVT_COMPAT_DEVICE", self->device, 1));
	ASSERT_EQ(0, setenv("UEVT_COMPAT_STATUS_DEVICE", self->status, 1));
}

FIXTURE_TEARDOWN(compat)
{
	char cmd[128];

	for (size_t i = 0; i < 3; i++)
		if (self->mounts[i][0])
			umount2(self->mounts[i], MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

/* Kernels with the built-in user_events: the real file must win there. */
#define SKIP_IF_BUILTIN() do {						\
	if (really_exists(DATA))					\
		SKIP(return, "this kernel has the built-in user_events (" DATA " exists)"); \
} while (0)

TEST(library_is_preloaded)
{
	Dl_info info;
	void *sym = dlsym(RTLD_DEFAULT, "open");

	ASSERT_NE(NULL, sym);
	ASSERT_NE(0, dladdr(sym, &info));
	TH_LOG("open() is %s's", info.dli_fname);
	ASSERT_NE(NULL, strstr(info.dli_fname, "libuevt-compat.so"));
}

TEST_F(compat, data_is_redirected_by_every_entry_point)
{
	static const char *const spellings[] = {
		DATA,
		"/sys/kernel/debug/tracing/user_events_data",
		"/sys//kernel/./tracing/user_events_data",
		"/sys/kernel/tracing/./user_events_data",
		"/sys/kernel/tracing//user_events_data",
	};

	SKIP_IF_BUILTIN();
	for (size_t s = 0; s < sizeof(spellings) / sizeof(spellings[0]); s++) {
		for (size_t i = 0; i < N_OPENERS; i++) {
			int fd = openers[i].open(spellings[s], O_RDWR);

			EXPECT_TRUE(is_file(fd, self->device))
				TH_LOG("%s(\"%s\") = %d (%s)", openers[i].name, spellings[s], fd,
				       fd < 0 ? strerror(errno) : "another file");
			if (fd >= 0)
				close(fd);
		}
	}
}

TEST_F(compat, status_is_redirected)
{
	SKIP_IF_BUILTIN();
	for (size_t i = 0; i < N_OPENERS; i++) {
		int fd = openers[i].open(STATUS, O_RDONLY);

		EXPECT_TRUE(is_file(fd, self->status)) TH_LOG("%s", openers[i].name);
		if (fd >= 0)
			close(fd);
	}
}

TEST_F(compat, stat_and_access_see_the_device)
{
	struct stat want, st;
	struct statx stx;

	SKIP_IF_BUILTIN();
	ASSERT_EQ(0, syscall(SYS_newfstatat, AT_FDCWD, self->device, &want, 0));
	ASSERT_EQ(0, stat(DATA, &st));
	EXPECT_EQ(want.st_ino, st.st_ino);
	ASSERT_EQ(0, lstat(DATA, &st));
	EXPECT_EQ(want.st_ino, st.st_ino);
	ASSERT_EQ(0, fstatat(AT_FDCWD, DATA, &st, 0));
	EXPECT_EQ(want.st_ino, st.st_ino);
	ASSERT_EQ(0, statx(AT_FDCWD, DATA, 0, STATX_INO, &stx));
	EXPECT_EQ(want.st_ino, stx.stx_ino);
	ASSERT_EQ(0, __xstat(1, DATA, &st));	/* _STAT_VER_LINUX */
	EXPECT_EQ(want.st_ino, st.st_ino);
	EXPECT_EQ(0, access(DATA, R_OK | W_OK));
	EXPECT_EQ(0, faccessat(AT_FDCWD, DATA, R_OK, 0));
	EXPECT_EQ(0, euidaccess(DATA, R_OK));
}

TEST_F(compat, other_paths_are_untouched)
{
	static const char *const elsewhere[] = {
		"/sys/kernel/tracing/events/user_events_data",
		"/sys/kernel/tracing/user_events_datax",
		"/sys/kernel/tracing/user_events",
		"/sys/kernel/user_events_data",
		"/sys/kernel/tracing/../tracing/user_events_data",	/* ".." is not resolved */
		"user_events_data",					/* relative to /tmp/... */
	};
	char path[160];
	struct stat st;
	int fd;

	/* A regular file opens as itself through every entry point. */
	for (size_t i = 0; i < N_OPENERS; i++) {
		fd = openers[i].open(self->status, O_RDONLY);
		EXPECT_TRUE(is_file(fd, self->status)) TH_LOG("%s", openers[i].name);
		if (fd >= 0)
			close(fd);
	}

	/* user_events_data anywhere but directly in a tracefs root: ENOENT. */
	snprintf(path, sizeof(path), "%s/user_events_data", self->dir);
	ASSERT_EQ(0, chdir(self->dir));
	for (size_t s = 0; s < sizeof(elsewhere) / sizeof(elsewhere[0]) + 1; s++) {
		const char *p = s < sizeof(elsewhere) / sizeof(elsewhere[0]) ? elsewhere[s] : path;

		for (size_t i = 0; i < N_OPENERS; i++) {
			errno = 0;
			fd = openers[i].open(p, O_RDWR);
			EXPECT_EQ(-1, fd) TH_LOG("%s(\"%s\") was redirected", openers[i].name, p);
			EXPECT_EQ(ENOENT, errno) TH_LOG("%s(\"%s\")", openers[i].name, p);
			if (fd >= 0)
				close(fd);
		}
		errno = 0;
		EXPECT_EQ(-1, stat(p, &st));
		EXPECT_EQ(ENOENT, errno);
	}

	/* Errors other than ENOENT are the caller's, whatever the name. */
	snprintf(path, sizeof(path), "%s/user_events_data", self->device);
	errno = 0;
	EXPECT_EQ(-1, open(path, O_RDONLY));
	EXPECT_EQ(ENOTDIR, errno);
	errno = 0;
	EXPECT_EQ(-1, openat(-42, "user_events_data", O_RDONLY));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(compat, absent_target_leaves_enoent)
{
	struct stat st;

	SKIP_IF_BUILTIN();
	ASSERT_EQ(0, setenv("UEVT_COMPAT_DEVICE", self->absent, 1));
	for (size_t i = 0; i < N_OPENERS; i++) {
		errno = 0;
		EXPECT_EQ(-1, openers[i].open(DATA, O_RDWR)) TH_LOG("%s", openers[i].name);
		EXPECT_EQ(ENOENT, errno) TH_LOG("%s", openers[i].name);
	}
	errno = 0;
	EXPECT_EQ(-1, stat(DATA, &st));
	EXPECT_EQ(ENOENT, errno);

	/*
	 * Creating opens do not create the device, and fail as they would
	 * without the library (ENOENT on sysfs, perhaps EACCES on tracefs).
	 */
	errno = 0;
	EXPECT_EQ(-1, open(DATA, O_RDWR | O_CREAT, 0600));
	EXPECT_EQ(raw_open_errno(DATA, O_RDWR | O_CREAT), errno);
	errno = 0;
	EXPECT_EQ(-1, open(DATA, O_RDWR | O_CREAT | O_EXCL, 0600));
	EXPECT_EQ(raw_open_errno(DATA, O_RDWR | O_CREAT | O_EXCL), errno);
	errno = 0;
	EXPECT_EQ(NULL, fopen(DATA, "w"));
	EXPECT_EQ(raw_open_errno(DATA, O_WRONLY | O_CREAT | O_TRUNC), errno);
	errno = 0;
	EXPECT_EQ(NULL, fopen(DATA, "a+"));
	EXPECT_EQ(raw_open_errno(DATA, O_RDWR | O_CREAT | O_APPEND), errno);
	EXPECT_FALSE(really_exists(self->absent));

	/* The default target, /dev/uevt, when the module is not loaded here. */
	ASSERT_EQ(0, unsetenv("UEVT_COMPAT_DEVICE"));
	if (!really_exists("/dev/uevt")) {
		errno = 0;
		EXPECT_EQ(-1, open(DATA, O_RDWR));
		EXPECT_EQ(ENOENT, errno);
	}

	/* A target that exists but cannot be opened says why. */
	ASSERT_EQ(0, setenv("UEVT_COMPAT_DEVICE", self->dir, 1));
	errno = 0;
	EXPECT_EQ(-1, open(DATA, O_RDWR));
	EXPECT_EQ(EISDIR, errno);

	/* Asking for a directory is never redirected. */
	ASSERT_EQ(0, setenv("UEVT_COMPAT_DEVICE", self->device, 1));
	errno = 0;
	EXPECT_EQ(-1, open(DATA, O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(compat, relative_paths_resolve_through_proc)
{
	struct stat st, want;
	int dirfd, pathfd, fd;

	SKIP_IF_BUILTIN();
	dirfd = open("/sys/kernel/tracing", O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		SKIP(return, "cannot open /sys/kernel/tracing: %s", strerror(errno));

	fd = openat(dirfd, "user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	fd = openat64(dirfd, "./user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	fd = __openat_2(dirfd, "user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	fd = __openat64_2(dirfd, "user_events_status", O_RDONLY);
	EXPECT_TRUE(is_file(fd, self->status));
	close(fd);
	ASSERT_EQ(0, syscall(SYS_newfstatat, AT_FDCWD, self->device, &want, 0));
	ASSERT_EQ(0, fstatat(dirfd, "user_events_data", &st, 0));
	EXPECT_EQ(want.st_ino, st.st_ino);

	/* An O_PATH descriptor names its directory just as well. */
	pathfd = open("/sys/kernel/tracing", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, pathfd);
	fd = openat(pathfd, "user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	close(pathfd);

	/* A descriptor on another directory: not a tracefs root. */
	close(dirfd);
	dirfd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);
	errno = 0;
	EXPECT_EQ(-1, openat(dirfd, "user_events_data", O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	close(dirfd);

	/* Relative to the current directory, with and without a directory part. */
	ASSERT_EQ(0, chdir("/sys/kernel/tracing"));
	fd = open("user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	fd = from_stream(fopen("user_events_data", "r"));
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
	ASSERT_EQ(0, chdir("/sys/kernel"));
	fd = open("tracing/user_events_data", O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device));
	close(fd);
}

/* The mode of a newly created file, as umask(0) leaves it. */
static mode_t created_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

TEST_F(compat, create_mode_passes_through)
{
	char path[128];
	struct stat st;
	int fd;

	umask(0);
	snprintf(path, sizeof(path), "%s/by_open", self->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0640);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0640, created_mode(path));

	snprintf(path, sizeof(path), "%s/by_open64", self->dir);
	fd = open64(path, O_CREAT | O_EXCL | O_WRONLY, 0604);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0604, created_mode(path));

	snprintf(path, sizeof(path), "%s/by_openat", self->dir);
	fd = openat(AT_FDCWD, path, O_CREAT | O_RDWR, 0620);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0620, created_mode(path));

	snprintf(path, sizeof(path), "%s/by_openat64", self->dir);
	fd = openat64(AT_FDCWD, path, O_CREAT | O_RDWR, 0601);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0601, created_mode(path));

	snprintf(path, sizeof(path), "%s/by_fopen", self->dir);
	fclose(fopen(path, "w"));
	EXPECT_EQ(0666, created_mode(path));

	/* O_TMPFILE also takes a mode. */
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0612);
	if (fd < 0 && errno == EOPNOTSUPP) {
		TH_LOG("O_TMPFILE not supported in %s, not checked", self->dir);
		return;
	}
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0612, st.st_mode & 07777);
	close(fd);
}

/* Enters a private mount namespace, or skips. */
#define PRIVATE_MOUNTS() do {						\
	if (unshare(CLONE_NEWNS) != 0)					\
		SKIP(return, "no private mount namespace: %s", strerror(errno)); \
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)); \
} while (0)

TEST_F(compat, real_file_wins)
{
	char real[] = "/sys/kernel/tracing/user_events_data";
	int fd;

	PRIVATE_MOUNTS();
	if (mount("tmpfs", "/sys/kernel/tracing", "tmpfs", 0, NULL) != 0)
		SKIP(return, "cannot mount tmpfs on /sys/kernel/tracing: %s", strerror(errno));
	strcpy(self->mounts[0], "/sys/kernel/tracing");
	fd = open(real, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);

	for (size_t i = 0; i < N_OPENERS; i++) {
		fd = openers[i].open(real, O_RDWR);
		EXPECT_TRUE(is_file(fd, real)) TH_LOG("%s", openers[i].name);
		EXPECT_FALSE(is_file(fd, self->device)) TH_LOG("%s", openers[i].name);
		if (fd >= 0)
			close(fd);
	}
}

TEST_F(compat, any_tracefs_or_debugfs_mount_is_a_root)
{
	char trace[96], dbg[96], path[160];
	int dirfd, fd;

	SKIP_IF_BUILTIN();
	PRIVATE_MOUNTS();
	/* A space in the name: /proc/mounts escapes it as \040. */
	snprintf(trace, sizeof(trace), "%s/my trace", self->dir);
	snprintf(dbg, sizeof(dbg), "%s/dbg", self->dir);
	ASSERT_EQ(0, mkdir(trace, 0755));
	ASSERT_EQ(0, mkdir(dbg, 0755));
	if (mount("tracefs", trace, "tracefs", 0, NULL) != 0)
		SKIP(return, "cannot mount tracefs: %s", strerror(errno));
	strcpy(self->mounts[0], trace);

	snprintf(path, sizeof(path), "%s/user_events_data", trace);
	for (size_t i = 0; i < N_OPENERS; i++) {
		fd = openers[i].open(path, O_RDWR);
		EXPECT_TRUE(is_file(fd, self->device)) TH_LOG("%s(\"%s\")", openers[i].name, path);
		if (fd >= 0)
			close(fd);
	}
	dirfd = open(trace, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);
	fd = openat(dirfd, "user_events_status", O_RDONLY);
	EXPECT_TRUE(is_file(fd, self->status));
	close(fd);
	close(dirfd);

	/* debugfs: its tracing directory is a root, debugfs itself is not. */
	if (mount("debugfs", dbg, "debugfs", 0, NULL) != 0)
		SKIP(return, "cannot mount debugfs: %s", strerror(errno));
	strcpy(self->mounts[1], dbg);
	snprintf(path, sizeof(path), "%s/tracing/user_events_data", dbg);
	fd = open(path, O_RDWR);
	EXPECT_TRUE(is_file(fd, self->device)) TH_LOG("%s", path);
	close(fd);
	snprintf(path, sizeof(path), "%s/user_events_data", dbg);
	errno = 0;
	EXPECT_EQ(-1, open(path, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

/* The mount table parser, on tables no machine has. */
static bool table_has(struct __test_metadata *_metadata, const char *table, const char *dir)
{
	int fd = memfd_create("mounts", 0);
	bool found;

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(table), write(fd, table, strlen(table)));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	found = compat_mounts_have_root(fd, dir, strlen(dir));
	close(fd);
	return found;
}

TEST(mount_table_parser)
{
	static char long_line[3 * 4096];
	static char table[sizeof(long_line) + 256];
	static const char basic[] =
		"sysfs /sys/kernel/x sysfs rw 0 0\n"
		"tracefs /mnt/my\\040trace tracefs rw,nosuid 0 0\n"
		"none /mnt/fake tracefsx rw 0 0\n"
		"debugfs /dbg debugfs rw 0 0\n"
		"tracefs /last tracefs rw 0 0";		/* no final newline */

	EXPECT_TRUE(table_has(_metadata, basic, "/mnt/my trace"));
	EXPECT_TRUE(table_has(_metadata, basic, "/mnt//my trace/"));
	EXPECT_FALSE(table_has(_metadata, basic, "/mnt/my\\040trace"));
	EXPECT_FALSE(table_has(_metadata, basic, "/mnt/my"));
	EXPECT_FALSE(table_has(_metadata, basic, "/sys/kernel/x"));
	EXPECT_FALSE(table_has(_metadata, basic, "/mnt/fake"));
	EXPECT_TRUE(table_has(_metadata, basic, "/dbg/tracing"));
	EXPECT_TRUE(table_has(_metadata, basic, "/dbg/./tracing/"));
	EXPECT_FALSE(table_has(_metadata, basic, "/dbg"));
	EXPECT_FALSE(table_has(_metadata, basic, "/dbg/tracing/x"));
	EXPECT_FALSE(table_has(_metadata, basic, "/dbg/tracingx"));
	EXPECT_TRUE(table_has(_metadata, basic, "/last"));
	EXPECT_TRUE(table_has(_metadata, "tracefs / tracefs rw 0 0\n", "/"));

	/* Options longer than any buffer, then the line that matters. */
	memset(long_line, 'o', sizeof(long_line) - 1);
	snprintf(table, sizeof(table), "overlay / overlay %s 0 0\ntracefs /t tracefs rw 0 0\n",
		 long_line);
	EXPECT_TRUE(table_has(_metadata, table, "/t"));
	/* A mount point longer than PATH_MAX is ignored, not truncated into a match. */
	memset(long_line, 'p', sizeof(long_line) - 1);
	long_line[0] = '/';
	snprintf(table, sizeof(table), "tracefs %s tracefs rw 0 0\n", long_line);
	long_line[PATH_MAX] = '\0';
	EXPECT_FALSE(table_has(_metadata, table, long_line));
}

TEST(same_dir)
{
	EXPECT_TRUE(compat_same_dir("/a//b/./c/", 10, "/a/b/c", 6));
	EXPECT_TRUE(compat_same_dir("/", 1, "//", 2));
	EXPECT_FALSE(compat_same_dir("/a/b", 4, "/a/bc", 5));
	EXPECT_FALSE(compat_same_dir("/a/b/..", 7, "/a", 2));
	EXPECT_FALSE(compat_same_dir("/a/b", 4, "/a", 2));
}

TEST_HARNESS_MAIN
