/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A FUSE file system served by the test itself through /dev/fuse, with no
 * library: one regular file, "f", of FUSE_STUB_SIZE zero bytes.  Its reads
 * are answered until the test sets *stuck; from then on they never are, as
 * with a hung network file system.  With *stuck at FUSE_STUB_HOLD a read is
 * held instead (stuck[1] counts the reads held) until *stuck goes back to 0,
 * or for about a minute at most, then answered.  fuse_stub_drop_cache() evicts the
 * file's pages from the page cache (and from every mapping), so the next
 * access to them needs a read that will never complete.
 */
#ifndef _UEVT_FUSE_STUB_H
#define _UEVT_FUSE_STUB_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/fuse.h>

#define FUSE_STUB_SIZE	(64 * 4096)
#define FUSE_STUB_INO	2
#define FUSE_STUB_HOLD	2	/* *stuck: hold reads until it is 0 again */

struct fuse_stub {
	char dir[64];		/* mount point; the file is dir/f */
	int dev;		/* our /dev/fuse descriptor */
	pid_t server;
	volatile int *stuck;	/* shared with the server */
};

static void fuse_stub_reply(int dev, uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header out = { sizeof(out) + (error ? 0 : len), error, unique };
	struct iovec iov[2] = { { &out, sizeof(out) }, { (void *)data, error ? 0 : len } };

	(void)!writev(dev, iov, 2);
}

static void fuse_stub_attr(struct fuse_attr *attr, uint64_t nodeid)
{
	memset(attr, 0, sizeof(*attr));
	attr->ino = nodeid;
	attr->blksize = 4096;
	if (nodeid == FUSE_ROOT_ID) {
		attr->mode = S_IFDIR | 0755;
		attr->nlink = 2;
	} else {
		attr->mode = S_IFREG | 0666;
		attr->nlink = 1;
		attr->size = FUSE_STUB_SIZE;
		attr->blocks = FUSE_STUB_SIZE / 512;
	}
}

/* The server: answers everything, except reads once *stuck is set. */
static void fuse_stub_serve(int dev, volatile int *stuck)
{
	size_t size = 1 << 20;
	char *buf = malloc(size), *zeros = calloc(1, 1 << 17);

	for (;;) {
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		void *arg = buf + sizeof(*in);
		ssize_t n = read(dev, buf, size);

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;	/* a request interrupted before we read it */
		if (n < (ssize_t)sizeof(*in))
			_exit(0);	/* unmounted or aborted */
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *init = arg;
			struct fuse_init_out out = {
				.major = FUSE_KERNEL_VERSION,
				.minor = FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = init->max_readahead,
				.max_background = 64,
				.congestion_threshold = 48,
				.max_write = 1 << 16,
				.time_gran = 1,
			};

			fuse_stub_reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out out = {
				.nodeid = FUSE_STUB_INO, .generation = 1,
				.entry_valid = 3600, .attr_valid = 3600,
			};

			if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f")) {
				fuse_stub_reply(dev, in->unique, -ENOENT, NULL, 0);
				break;
			}
			fuse_stub_attr(&out.attr, FUSE_STUB_INO);
			fuse_stub_reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_GETATTR:
		case FUSE_SETATTR: {
			struct fuse_attr_out out = { .attr_valid = 3600 };

			fuse_stub_attr(&out.attr, in->nodeid);
			fuse_stub_reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_OPEN: {
			struct fuse_open_out out = { .fh = 1 };

			fuse_stub_reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_READ: {
			const struct fuse_read_in *rd = arg;
			size_t len = rd->size;

			if (*stuck == FUSE_STUB_HOLD) {
				int ms = 0;

				stuck[1]++;
				/* Bounded: a test that failed meanwhile is not wedged. */
				while (*stuck == FUSE_STUB_HOLD && ms++ < 60000)
					usleep(1000);
			}
			if (*stuck && *stuck != FUSE_STUB_HOLD)
				break;	/* never answered */
			if (rd->offset >= FUSE_STUB_SIZE)
				len = 0;
			else if (len > FUSE_STUB_SIZE - rd->offset)
				len = FUSE_STUB_SIZE - rd->offset;
			if (len > 1 << 17)
				len = 1 << 17;
			fuse_stub_reply(dev, in->unique, 0, zeros, len);
			break;
		}
		case FUSE_WRITE: {
			const struct fuse_write_in *wr = arg;
			struct fuse_write_out out = { .size = wr->size };

			fuse_stub_reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_FLUSH:
		case FUSE_RELEASE:
		case FUSE_FSYNC:
		case FUSE_DESTROY:
			fuse_stub_reply(dev, in->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;	/* no reply expected */
		default:
			fuse_stub_reply(dev, in->unique, -ENOSYS, NULL, 0);
		}
	}
}

/* Mount a stub at a fresh directory; 0 or -errno. */
static int fuse_stub_start(struct fuse_stub *fs)
{
	char opts[128];

	memset(fs, 0, sizeof(*fs));
	fs->stuck = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fs->stuck == MAP_FAILED)
		return -ENOMEM;
	snprintf(fs->dir, sizeof(fs->dir), "/tmp/uevt_fuse_%d", getpid());
	if (mkdir(fs->dir, 0755) && errno != EEXIST)
		return -errno;
	fs->dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fs->dev < 0)
		return -errno;
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other",
		 fs->dev);
	if (mount("uevt_stub", fs->dir, "fuse", MS_NOSUID | MS_NODEV, opts))
		return -errno;
	fs->server = fork();
	if (fs->server < 0)
		return -errno;
	if (fs->server == 0)
		fuse_stub_serve(fs->dev, fs->stuck);
	return 0;
}

/* Evict the file's pages: the next access has to read, and may hang. */
static int fuse_stub_drop_cache(struct fuse_stub *fs)
{
	struct {
		struct fuse_out_header hdr;
		struct fuse_notify_inval_inode_out inval;
	} msg = {
		{ sizeof(msg), FUSE_NOTIFY_INVAL_INODE, 0 },
		{ FUSE_STUB_INO, 0, -1 },
	};

	return write(fs->dev, &msg, sizeof(msg)) == sizeof(msg) ? 0 : -errno;
}

/* Abort the connection (every read still waiting fails) and unmount. */
static void fuse_stub_stop(struct fuse_stub *fs)
{
	if (fs->server > 0) {
		kill(fs->server, SIGKILL);
		waitpid(fs->server, NULL, 0);
	}
	if (fs->dev > 0)
		close(fs->dev);
	umount2(fs->dir, MNT_DETACH);
	rmdir(fs->dir);
}

#endif /* _UEVT_FUSE_STUB_H */
