// SPDX-License-Identifier: GPL-2.0
/*
 * One process's page that can never be faulted in delays only that
 * process.  Nine processes keep their enable words in a shared mapping of
 * a FUSE file whose reads stop being answered; their pages are evicted, so
 * writing any of their bits needs a read that never completes.  A tenth
 * process must still have its bits written on every toggle, and a child
 * it forks must join and follow the event, as if the nine did not exist.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "uevt_test.h"
#include "fuse_stub.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM
#define STUCK 9

FIXTURE(stuck)
{
	int fd;
	struct tracefs_instance *inst;
	struct fuse_stub fs;
	pid_t pids[STUCK];
	char mark[64];
};

FIXTURE_SETUP(stuck)
{
	int ret;

	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("stuck");
	ASSERT_NE(NULL, self->inst);
	kmsg_mark(self->mark, sizeof(self->mark));
	ret = fuse_stub_start(&self->fs);
	if (ret == -ENOENT || ret == -ENODEV)
		SKIP(return, "no FUSE in this kernel (%d)", ret);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(stuck)
{
	char *splat;
	int i;

	for (i = 0; i < STUCK; i++) {
		if (self->pids[i] > 0) {
			kill(self->pids[i], SIGKILL);
			waitpid(self->pids[i], NULL, 0);
		}
	}
	if (self->fs.dev > 0)
		fuse_stub_stop(&self->fs);
	splat = kmsg_splat_since(self->mark);
	EXPECT_EQ(NULL, splat) {
		TH_LOG("kernel splat during the test: %s", splat);
	}
	free(splat);
	test_instance_destroy(self->inst);
	close(self->fd);
}

/* Map page @i of the stub's file shared, register a word there, sleep. */
static void stuck_process(const char *path, int i, int ready)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), dev = uevt_dev_open();
	volatile uint32_t *w;

	if (fd < 0 || dev < 0)
		_exit(2);
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)i * 4096);
	if (w == MAP_FAILED)
		_exit(3);
	if (uevt_reg(dev, "t_stuck u32 a", (void *)w, 0, 4, 0, NULL))
		_exit(4);
	/* Clean again, so evicting the page needs no write-back. */
	if (msync((void *)w, 4096, MS_SYNC))
		_exit(5);
	if (write(ready, "r", 1) != 1)
		_exit(6);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(stuck, nine_stuck_processes_delay_nobody_else, 180)
{
	volatile uint32_t *mine = private_word();
	char path[96], c;
	int ready[2], go[2], i, status;
	pid_t child;

	ASSERT_NE(NULL, mine);
	snprintf(path, sizeof(path), "%s/f", self->fs.dir);
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < STUCK; i++) {
		self->pids[i] = fork();
		ASSERT_LE(0, self->pids[i]);
		if (self->pids[i] == 0)
			stuck_process(path, i, ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1));
	}
	ASSERT_EQ(0, uevt_reg(self->fd, "t_stuck u32 a", (void *)mine, 0, 4, 0, NULL));

	/* From now on their pages can only be read back by a hung read. */
	*self->fs.stuck = 1;
	ASSERT_EQ(0, fuse_stub_drop_cache(&self->fs));

	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_stuck"));
	EXPECT_EQ(0, wait_bits(mine, 1, 1, 5000));

	/* A fork: the child joins, and our page is copy-on-write now. */
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || wait_bits(mine, 1, 0, 5000))
			_exit(1);
		if (read(go[0], &c, 1) != 1 || wait_bits(mine, 1, 1, 5000))
			_exit(2);
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_stuck"));
	EXPECT_EQ(0, wait_bits(mine, 1, 0, 5000));
	ASSERT_EQ(1, write(go[1], "d", 1));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_stuck"));
	EXPECT_EQ(0, wait_bits(mine, 1, 1, 5000));
	ASSERT_EQ(1, write(go[1], "e", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the child did not follow the event (step %d)", WEXITSTATUS(status));
	}
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_stuck"));
	EXPECT_EQ(0, wait_bits(mine, 1, 0, 5000));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)mine, 0));
}

TEST_HARNESS_MAIN
