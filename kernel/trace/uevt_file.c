// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/uevt file operations: registration ioctls and the write path.
 *
 * Each open file has its own table of write indexes.  The table only grows
 * while the file is open (an index stays valid until close, as with
 * user_events), so writers look an event up under RCU and then use it
 * without a lock: the file's reference keeps it alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "uevt_internal.h"

/*
 * The write-index table.  It grows in place: an event is stored in the
 * first free entry, then @count is raised with release semantics, so a
 * writer that reads @count with acquire sees every entry below it.  When
 * @room runs out, a table twice the size replaces it under RCU, so a file
 * with n events has copied fewer than 2n pointers in all (the built-in
 * copies its whole table for every new event).
 */
struct uevt_refs {
	struct rcu_head rcu;
	/* Entries in use: written under uevt_file.lock, read with acquire. */
	u32 count;
	/* Entries allocated; fixed for the life of this table. */
	u32 room;
	struct uevt_event *events[];
};

/**
 * struct uevt_file - state of one open /dev/uevt
 * @lock: serialises registrations on this file (table growth).
 * @refs: the write-index table; appended to and replaced under @lock,
 *	read under RCU.
 */
struct uevt_file {
	/* Serialises registrations on this file; table growth. */
	struct mutex lock;
	struct uevt_refs __rcu *refs;
};

/* The first table's entries: most programs register a few events. */
#define UEVT_REFS_FIRST_ROOM	8

static int uevt_open(struct inode *inode, struct file *file)
{
	struct uevt_file *uf = kzalloc(sizeof(*uf), GFP_KERNEL_ACCOUNT);

	if (!uf)
		return -ENOMEM;
	mutex_init(&uf->lock);
	file->private_data = uf;
	return 0;
}

static int uevt_release(struct inode *inode, struct file *file)
{
	struct uevt_file *uf = file->private_data;
	struct uevt_refs *refs = rcu_dereference_protected(uf->refs, true);
	u32 i;

	if (refs) {
		for (i = 0; i < refs->count; i++)
			uevt_event_put(refs->events[i]);
		kfree(refs);
	}
	kfree(uf);
	return 0;
}

/*
 * A table with room for at least @room entries, the first @count copied
 * from @old; its room is what the allocation really holds.
 */
static struct uevt_refs *uevt_refs_alloc(const struct uevt_refs *old, u32 count, u32 room)
{
	size_t size = kmalloc_size_roundup(struct_size_t(struct uevt_refs, events, room));
	struct uevt_refs *new = kmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);

	if (!new)
		return NULL;
	new->room = (size - offsetof(struct uevt_refs, events)) / sizeof(new->events[0]);
	new->count = count;
	if (count)
		memcpy(new->events, old->events, count * sizeof(old->events[0]));
	return new;
}

/*
 * Index of @ev in the file's table, adding it when new.  The file takes
 * over the caller's event reference only when it adds the event.  An
 * event the caller has just created (@created) cannot be there yet, as
 * @uf->lock was held across its creation: no search.
 */
static int uevt_file_add_event(struct uevt_file *uf, struct uevt_event *ev, bool created,
			       bool *added)
{
	u32 i, count, room, limit = READ_ONCE(uevt_max_events_per_file);
	struct uevt_refs *refs, *old;

	lockdep_assert_held(&uf->lock);
	*added = false;
	refs = rcu_dereference_protected(uf->refs, lockdep_is_held(&uf->lock));
	count = refs ? refs->count : 0;
	for (i = 0; !created && i < count; i++)
		if (refs->events[i] == ev)
			return i;
	if (count >= limit)
		return -EMFILE;

	if (!refs || count >= refs->room) {
		old = refs;
		/* Double, but not past the limit (above @count, checked). */
		room = min(max(2 * count, UEVT_REFS_FIRST_ROOM), limit);
		refs = uevt_refs_alloc(old, count, room);
		if (!refs)
			return -ENOMEM;
		rcu_assign_pointer(uf->refs, refs);
		if (old)
			kfree_rcu(old, rcu);
	}
	refs->events[count] = ev;
	/* Pairs with the acquire in uevt_file_event(): the entry first. */
	smp_store_release(&refs->count, count + 1);
	*added = true;
	return count;
}

/*
 * Like copy_struct_from_user(), with EINVAL for a size below the minimum
 * and E2BIG above a page: the bytes beyond what we know are checked to be
 * zero, and nobody gets to make us read megabytes for that.
 */
static int uevt_copy_struct(void *dst, size_t ksize, size_t min, const void __user *src)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < min)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(dst, ksize, src, usize);
}

static long uevt_ioctl_reg(struct uevt_file *uf, struct uevt_reg __user *ureg)
{
	struct uevt_event *ev;
	struct uevt_reg reg;
	bool added, created;
	char *text;
	int ret, index;

	ret = uevt_copy_struct(&reg, sizeof(reg), UEVT_REG_SIZE_VER0, ureg);
	if (ret)
		return ret;
	if (reg.flags & ~(UEVT_REG_MAX - 1))
		return -EINVAL;
	if ((reg.flags & UEVT_REG_PERSIST) && !perfmon_capable())
		return -EPERM;
	/* Check the enable bit before anything is created for it. */
	if ((reg.enable_size != 4 && reg.enable_size != 8) ||
	    reg.enable_bit >= reg.enable_size * 8 ||
	    !IS_ALIGNED(reg.enable_addr, reg.enable_size))
		return -EINVAL;

	text = strndup_user(u64_to_user_ptr(reg.name_args), UEVT_DESC_MAX);
	if (IS_ERR(text))
		return PTR_ERR(text) == -EINVAL ? -E2BIG : PTR_ERR(text);
	/* Everything about the address fails here, before an event exists. */
	ret = uevt_word_check(&reg);
	if (ret) {
		kfree(text);
		return ret;
	}

	mutex_lock(&uf->lock);
	ret = uevt_event_get_or_create(text, reg.flags, &ev, &created);
	kfree(text);
	if (ret) {
		mutex_unlock(&uf->lock);
		return ret;
	}
	index = uevt_file_add_event(uf, ev, created, &added);
	mutex_unlock(&uf->lock);
	if (index < 0) {
		ret = index;
		goto out;
	}
	/*
	 * The index goes back first: a caller that cannot learn it must not be
	 * left with a registration it does not know about.
	 */
	if (put_user((u32)index, &ureg->write_index)) {
		ret = -EFAULT;
		goto out;
	}
	/*
	 * Only a fatal signal interrupts it (attaching to the mm falls back to
	 * a worker for the others): the process never sees EINTR.
	 */
	ret = uevt_word_register(&reg, ev);
out:
	/* The table owns the reference when it added the event. */
	if (!added)
		uevt_event_put(ev);
	return ret;
}

static long uevt_ioctl_unreg(struct uevt_unreg __user *uunreg)
{
	struct uevt_unreg unreg;
	int ret;

	ret = uevt_copy_struct(&unreg, sizeof(unreg), UEVT_UNREG_SIZE_VER0, uunreg);
	if (ret)
		return ret;
	if (unreg.__reserved || unreg.__reserved2)
		return -EINVAL;
	/* Nothing is ever registered outside user memory or beyond bit 63. */
	if (unreg.disable_bit >= 64 || !access_ok(u64_to_user_ptr(unreg.disable_addr), 1))
		return -ENOENT;
	return uevt_word_unregister(unreg.disable_addr, unreg.disable_bit);
}

static long uevt_ioctl_del(const char __user *uname)
{
	char *name = strndup_user(uname, UEVT_NAME_MAX + 32);
	int ret;

	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = uevt_event_delete(name);
	kfree(name);
	return ret;
}

static long uevt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct uevt_file *uf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case UEVT_IOC_REG:
		return uevt_ioctl_reg(uf, uarg);
	case UEVT_IOC_UNREG:
		return uevt_ioctl_unreg(uarg);
	case UEVT_IOC_DEL:
		return uevt_ioctl_del(uarg);
	}
	return -ENOTTY;
}

static struct uevt_event *uevt_file_event(struct uevt_file *uf, u32 index)
{
	struct uevt_event *ev = NULL;
	struct uevt_refs *refs;
	u32 count;

	rcu_read_lock();
	refs = rcu_dereference(uf->refs);
	/* Pairs with the release in uevt_file_add_event(): entries below it are set. */
	count = refs ? smp_load_acquire(&refs->count) : 0;
	/* The index is the writer's: no speculative read past the table. */
	if (index < count)
		ev = refs->events[array_index_nospec(index, count)];
	rcu_read_unlock();
	return ev;
}

/*
 * The event a write of @payload bytes goes to, after the checks programs
 * written for user_events rely on, in its order: a negative index, an
 * unknown one, a record shorter than the fixed fields, and then EBADF when
 * nothing listens.  A record over the limit is refused as surely, enabled
 * or not.  Both size errors count as rejected either way.
 */
static struct uevt_event *uevt_write_target(struct uevt_file *uf, u32 index, size_t payload)
{
	struct uevt_event *ev;

	if ((s32)index < 0)
		return ERR_PTR(-EINVAL);
	ev = uevt_file_event(uf, index);
	if (!ev)
		return ERR_PTR(-ENOENT);
	if (payload < ev->desc->fixed_size) {
		atomic_long_inc(&ev->rejected);
		return ERR_PTR(-EINVAL);
	}
	if (payload > UEVT_PAYLOAD_MAX) {
		atomic_long_inc(&ev->rejected);
		return ERR_PTR(-E2BIG);
	}
	if (!rcu_access_pointer(ev->tp.funcs))
		return ERR_PTR(-EBADF);
	return ev;
}

/* A record read whole: validated, then handed to every consumer. */
static int uevt_write_record(struct uevt_event *ev, void *rec, size_t len)
{
	int ret = uevt_desc_validate(ev->desc, rec, len);

	if (ret)
		atomic_long_inc(&ev->rejected);
	else
		uevt_event_emit(ev, rec, len);
	return ret;
}

static ssize_t uevt_write_iter(struct kiocb *kiocb, struct iov_iter *from)
{
	struct uevt_file *uf = kiocb->ki_filp->private_data;
	size_t total = iov_iter_count(from), len;
	/*
	 * Room for the header, then a record read in one trip.  Not cleared
	 * first (INIT_STACK_ALL_ZERO): consumers get only the bytes read.
	 * Longer records are built in a bounded kmalloc.
	 */
	u64 stack_rec[DIV_ROUND_UP(UEVT_ENTRY_SIZE + UEVT_RECORD_ONE_TRIP, sizeof(u64))]
		__uninitialized;
	u8 *rec = (u8 *)stack_rec, *at_index;
	struct iov_iter whole = *from;
	struct uevt_event *ev;
	u32 index;
	int ret;

	if (total < sizeof(index))
		return -EINVAL;
	len = UEVT_ENTRY_SIZE + total - sizeof(index);
	/*
	 * What costs is each trip into user memory, not the bytes: a short
	 * record is read in one, its index into the last bytes of the header
	 * (which no consumer is given) so that the payload lands after it.
	 * Faults happen here, where sleeping is fine, never in a buffer.  A
	 * read that fails is replayed step by step below, so that the errors
	 * come in the order above: EBADF for a disabled event even when its
	 * payload cannot be read.  The price: a write that races with
	 * disabling reads its payload, faulting it in if need be (its own
	 * memory, so its own wait), where it used to return before.
	 */
	BUILD_BUG_ON(sizeof(index) > UEVT_ENTRY_SIZE);
	at_index = rec + UEVT_ENTRY_SIZE - sizeof(index);
	if (total <= UEVT_RECORD_ONE_TRIP && uevt_copy_from_iter(at_index, total, &whole)) {
		*from = whole;
		ev = uevt_write_target(uf, get_unaligned((u32 *)at_index), total - sizeof(index));
		if (IS_ERR(ev))
			return PTR_ERR(ev);
		ret = uevt_write_record(ev, rec, len);
		return ret ? ret : total;
	}

	if (!uevt_copy_from_iter(&index, sizeof(index), from))
		return -EFAULT;
	ev = uevt_write_target(uf, index, total - sizeof(index));
	if (IS_ERR(ev))
		return PTR_ERR(ev);
	if (len > sizeof(stack_rec)) {
		rec = kmalloc(len, GFP_KERNEL);
		if (!rec)
			return -ENOMEM;
	}
	if (uevt_copy_from_iter(rec + UEVT_ENTRY_SIZE, len - UEVT_ENTRY_SIZE, from)) {
		ret = uevt_write_record(ev, rec, len);
	} else {
		atomic_long_inc(&ev->rejected);
		ret = -EFAULT;
	}
	if (rec != (u8 *)stack_rec)
		kfree(rec);
	return ret ? ret : total;
}

const struct file_operations uevt_fops = {
	.owner		= THIS_MODULE,
	.open		= uevt_open,
	.release	= uevt_release,
	.unlocked_ioctl	= uevt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.write_iter	= uevt_write_iter,
	.llseek		= noop_llseek,
};
