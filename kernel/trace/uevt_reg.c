// SPDX-License-Identifier: GPL-2.0
/*
 * Registering and unregistering enable words of the calling process.  The
 * design is described in uevt_core.h.
 *
 * A registration makes its slot (linked to the event, then in the set's
 * tree, where the notifiers see it), checks the word's mapping once more
 * (an munmap racing with us either fails the registration or retires the
 * word), notes when it saw no fork copying the address space (a child
 * whose copy began before that does not get the word), and only then makes
 * it live and writes the event's state into it, in the process's own
 * context.  An unregistration takes the slot off its
 * event and out of the live ones, so nothing else writes the word, clears
 * the bit while the slot is still in the tree (an unmap meanwhile retires
 * it), then takes it out.  Both hold the process's write_lock throughout,
 * so neither the fault work nor the process's own task work writes a word
 * that is going, and change the set only between uevt_mm_own_set() and
 * uevt_mm_end_change(), when no fork can share it.  A fork between the
 * unregistration's end of change and its clear shares a slot no longer
 * live: the child drops it when it joins.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uevt_core.h"

static struct uevt_set *uevt_mm_own(struct uevt_mm *umm)
{
	return rcu_dereference_protected(umm->set, lockdep_is_held(&umm->lock));
}

/* May @umm take a registration at @key?  Under its lock. */
static int uevt_mm_may_add(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_set *set = uevt_mm_own(umm);
	struct uevt_slot *slot = set ? uevt_set_lookup(set, key) : NULL;

	lockdep_assert_held(&umm->lock);
	/* Its bits are no longer written: say so rather than register in vain. */
	if (test_bit(UEVT_MM_RETIRE_ALL, &umm->flags))
		return -ENOMEM;
	if (slot && uevt_slot_live(slot) && !uevt_mm_retired(umm, key))
		return -EADDRINUSE;
	if (uevt_mm_live_words(umm) >= READ_ONCE(uevt_max_enablers_per_mm))
		return -ENOSPC;
	return 0;
}

/**
 * uevt_word_check() - check an enable word before its event is made
 * @reg: the registration, already checked for size, bit and alignment.
 *
 * Everything that can fail about the address is checked here, before the
 * caller creates an event for it, so a rejected registration leaves no
 * event behind.  uevt_word_register() checks it all again.
 *
 * Context: process context, may sleep.
 * Return: 0, -EFAULT (not mapped writable), -EADDRINUSE (registered
 * already), -ENOSPC (too many in this process), -ENOMEM, -EINVAL (no user
 * memory), -EINTR.
 */
int uevt_word_check(const struct uevt_reg *reg)
{
	struct mm_struct *mm = current->mm;
	struct uevt_mm *umm;
	bool mapped;
	int ret = 0;

	if (!mm)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(reg->enable_addr), reg->enable_size))
		return -EFAULT;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	mapped = uevt_word_mapped(mm, reg->enable_addr, reg->enable_size);
	mmap_read_unlock(mm);
	if (!mapped)
		return -EFAULT;
	umm = uevt_mm_find_current();
	if (umm) {
		mutex_lock(&umm->lock);
		ret = uevt_mm_may_add(umm, uevt_key(reg->enable_addr, reg->enable_bit));
		mutex_unlock(&umm->lock);
		uevt_mm_put(umm);
	}
	return ret;
}

/*
 * Make room for a new slot at @key in @umm's own set: the word is no longer
 * retired, and its old (retired) slot goes.  Under umm->lock, changing.
 */
static int uevt_mm_replace_retired(struct uevt_mm *umm, struct uevt_set *set, unsigned long key)
{
	struct uevt_slot *old = uevt_set_lookup(set, key);

	lockdep_assert_held(&umm->lock);
	if (old) {
		/* Out of the tree and off its event first: nothing writes it. */
		uevt_set_remove(set, old);
		uevt_slot_unlink(old);
		uevt_slot_free(old);
	}
	return uevt_mm_unretire(umm, key);
}

/*
 * A process that keeps unmapping words without unregistering them keeps
 * retired slots (they do not count against max_enablers_per_mm, and may
 * still be unregistered).  Past twice that many slots in all, forget the
 * retired ones.  Under umm->lock, changing.
 */
static void uevt_mm_forget_retired(struct uevt_mm *umm, struct uevt_set *set)
{
	struct uevt_retired *r;
	struct uevt_slot *slot;
	unsigned int i;

	lockdep_assert_held(&umm->lock);
	if (set->nr < 2ULL * READ_ONCE(uevt_max_enablers_per_mm))
		return;
	rcu_read_lock();
	r = rcu_dereference(umm->retired);
	if (r && !refcount_inc_not_zero(&r->ref))
		r = NULL;
	rcu_read_unlock();
	for (i = 0; r && i < r->nr; i++) {
		slot = uevt_set_lookup(set, r->keys[i]);
		if (!slot)
			continue;
		uevt_set_remove(set, slot);
		uevt_slot_unlink(slot);
		uevt_slot_free(slot);
	}
	/* Retired since?  Then keep that table: keys without slots are harmless. */
	spin_lock(&umm->spin);
	if (r && rcu_access_pointer(umm->retired) == r)
		uevt_mm_set_retired(umm, NULL);
	spin_unlock(&umm->spin);
	uevt_retired_put(r);
}

/* Insert @slot, not live yet, into @umm's own set; under lock, changing. */
static int uevt_mm_add_slot(struct uevt_mm *umm, struct uevt_slot *slot)
{
	unsigned long key = uevt_slot_key(slot);
	struct uevt_set *set;
	int ret;

	ret = uevt_mm_may_add(umm, key);
	if (ret)
		return ret;
	set = uevt_mm_own(umm);
	ret = uevt_mm_replace_retired(umm, set, key);
	if (ret)
		return ret;
	uevt_mm_forget_retired(umm, set);
	/* Set before linked: a state change may meet it on the event at once. */
	slot->set = set;
	uevt_slot_link(slot);
	ret = uevt_set_insert(set, slot);
	if (ret)
		uevt_slot_unlink(slot);
	return ret;
}

/*
 * Can forks copying our mm be going on that our list does not show: those
 * of other processes sharing it (clone(CLONE_VM) without CLONE_THREAD),
 * or of the process a vfork() child borrows it from?
 */
static bool uevt_forks_unseen(void)
{
	return test_bit(MMF_MULTIPROCESS, &current->mm->flags) ||
	       READ_ONCE(current->vfork_done);
}

/*
 * When did this process last have no fork() between its first steps and
 * the end of its copy (see Fork in uevt_core.h)?  Now, if it has none:
 * the time seen, under the lock fork() lists and unlists itself under.
 * UEVT_QUIET_PENDING while one is under way, or when processes that are
 * not threads of ours share the address space (their forks are listed
 * elsewhere; a vfork() child shares its parent's): children then do not
 * get the word until a later look says.
 */
static u64 uevt_quiet_now(void)
{
	/* Ours: only an exec, once every other thread is gone, replaces it. */
	struct sighand_struct *sighand = rcu_dereference_protected(current->sighand, true);
	u64 now = UEVT_QUIET_PENDING;

	/* Nor are those of the process a vfork() child borrows its mm from. */
	if (uevt_forks_unseen())
		return now;
	spin_lock_irq(&sighand->siglock);
	if (hlist_empty(&current->signal->multiprocess))
		now = ktime_get_ns();
	spin_unlock_irq(&sighand->siglock);
	return now;
}

/**
 * uevt_settle_quiet() - look again for a fork copying the address space
 * @umm: the calling process's state.
 *
 * Registrations made live while a fork was copying reach no child until a
 * look sees none (uevt_core.h, Fork).  The look holds write_lock, which
 * every registration holds from before its mapping check until it is
 * live: the time seen is later than the check of every registration it
 * settles.  Only tried: its holder may be faulting on a page this thread
 * is to serve (a userfaultfd, a FUSE file).
 *
 * Context: process context, a thread of the process @umm belongs to.
 * Return: true when no fork was copying and pending registrations got the
 * time seen; false otherwise (a fork copying, write_lock busy).
 */
bool uevt_settle_quiet(struct uevt_mm *umm)
{
	u64 quiet;

	/* Other processes' forks are not listed with ours: no look will do. */
	if (uevt_forks_unseen())
		return false;
	if (!mutex_trylock(&umm->write_lock))
		return false;
	quiet = uevt_quiet_now();
	if (quiet != UEVT_QUIET_PENDING)
		uevt_mm_quiet_seen(umm, quiet);
	uevt_mm_writes_unlock(umm);
	return quiet != UEVT_QUIET_PENDING;
}

/* How long a registration made while a fork was copying looks again. */
#define UEVT_QUIET_WAIT_MS	20

/*
 * Bounded: the fork may wait for a userfaultfd this very thread serves,
 * and threads may fork back to back.  Each forking thread looks again
 * too, once its fork is done (uevt_join_refill()).  All of these only try
 * write_lock: a quiet time may stay pending until the next registration.
 */
static void uevt_wait_quiet(struct uevt_mm *umm)
{
	unsigned long until = jiffies + msecs_to_jiffies(UEVT_QUIET_WAIT_MS);

	if (uevt_forks_unseen())
		return;
	while (!uevt_settle_quiet(umm) && time_before(jiffies, until) &&
	       !fatal_signal_pending(current))
		schedule_timeout_killable(1);
}

/**
 * uevt_word_register() - register an enable word of the calling process
 * @reg: the registration, checked for size, bit and alignment.
 * @ev: the event; the registration takes its own reference.
 *
 * The event's current state is written before returning when the page
 * can be faulted in; otherwise the word is owed and written later.
 *
 * Context: process context, may sleep.
 * Return: 0, or what uevt_word_check() returns (another thread may have
 * registered the word or unmapped it meanwhile), or -ENOMEM.
 */
int uevt_word_register(const struct uevt_reg *reg, struct uevt_event *ev)
{
	struct uevt_slot *slot;
	struct uevt_mm *umm;
	u64 quiet_ns;
	bool mapped;
	int ret;

	slot = uevt_slot_alloc();
	if (!slot)
		return -ENOMEM;
	INIT_LIST_HEAD(&slot->ev_node);
	uevt_event_get(ev);
	slot->ev = ev;
	/* Checked: a user address (below 2^56) aligned to 4 or 8, bit < 64. */
	slot->word = uevt_key(reg->enable_addr, reg->enable_bit) |
		     (reg->enable_size == 8 ? UEVT_SLOT_SIZE8 : 0);
again:
	umm = uevt_mm_get_current(uevt_slot_addr(slot), uevt_slot_size(slot));
	if (IS_ERR(umm)) {
		uevt_slot_free(slot);
		return PTR_ERR(umm);
	}
	if (mutex_lock_killable(&umm->write_lock)) {
		uevt_mm_put(umm);
		uevt_slot_free(slot);
		return -EINTR;
	}
	mutex_lock(&umm->lock);
	if (test_bit(UEVT_MM_DEAD, &umm->flags)) {
		/* Its last word went a moment ago: start again with a new one. */
		mutex_unlock(&umm->lock);
		uevt_mm_writes_unlock(umm);
		uevt_mm_put(umm);
		goto again;
	}
	ret = uevt_mm_own_set(umm);
	if (ret)
		goto fail_unlocked_change;
	ret = uevt_mm_add_slot(umm, slot);
	if (ret)
		goto fail;
	mutex_unlock(&umm->lock);

	/* In the tree now: an unmap from here on retires the word. */
	mmap_read_lock(current->mm);
	mapped = uevt_word_mapped(current->mm, uevt_slot_addr(slot), uevt_slot_size(slot));
	mmap_read_unlock(current->mm);
	/*
	 * A fork that copied our memory before the check may hold what was
	 * mapped at the word before: children stamped before we see no fork
	 * copying do not get the word (uevt_core.h, Fork).
	 */
	quiet_ns = uevt_quiet_now();
	mutex_lock(&umm->lock);
	if (!mapped) {
		uevt_set_remove(slot->set, slot);
		uevt_slot_unlink(slot);
		ret = -EFAULT;
		goto fail;
	}
	uevt_mm_note_live(umm, uevt_slot_key(slot), quiet_ns);
	/* Live only now.  Release: whoever sees it live sees the slot complete. */
	smp_store_release(&slot->word, slot->word | UEVT_SLOT_LIVE);
	uevt_mm_end_change(umm);
	mutex_unlock(&umm->lock);

	/* Our own mm, in our own context: faulting the page in is fine. */
	ret = uevt_word_write_current(umm, slot, UEVT_WRITE_FAULT);
	if (ret && ret != -ENXIO && ret != -ESRCH)
		uevt_word_owe(umm, uevt_slot_key(slot));
	uevt_mm_writes_unlock(umm);
	if (quiet_ns == UEVT_QUIET_PENDING)
		uevt_wait_quiet(umm);
	uevt_mm_put(umm);
	return 0;

fail:
	uevt_mm_end_change(umm);
fail_unlocked_change:
	uevt_mm_unlock_or_detach(umm);
	uevt_mm_writes_unlock(umm);
	uevt_mm_put(umm);
	uevt_slot_free(slot);
	return ret;
}

/**
 * uevt_word_unregister() - unregister an enable word of the calling process
 * @addr: the word's address, as registered.
 * @bit: its bit.
 *
 * The bit is cleared once nothing else can write it any more, unless the
 * word was retired (its page is gone).  Forked children that inherited
 * the registration keep it.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOENT when the calling process has no such registration,
 * -ENOMEM when its shared registrations could not be copied, -EINTR.
 */
int uevt_word_unregister(unsigned long addr, u8 bit)
{
	unsigned long key = uevt_key(addr, bit);
	struct uevt_slot *slot;
	struct uevt_set *set;
	struct uevt_mm *umm;
	bool retired;
	int ret = 0;

	umm = uevt_mm_find_current();
	if (!umm)
		return -ENOENT;
	if (mutex_lock_killable(&umm->write_lock)) {
		uevt_mm_put(umm);
		return -EINTR;
	}
	mutex_lock(&umm->lock);
	set = uevt_mm_own(umm);
	slot = set ? uevt_set_lookup(set, key) : NULL;
	/* The key keeps neither an address's low two bits nor its top ones. */
	if (slot && (uevt_slot_addr(slot) != addr || uevt_slot_bit(slot) != bit))
		slot = NULL;
	if (!slot || !uevt_slot_live(slot) || test_bit(UEVT_MM_DEAD, &umm->flags)) {
		ret = -ENOENT;
		goto unlock;
	}
	ret = uevt_mm_own_set(umm);
	if (ret)
		goto unlock;
	/* Ours alone now (maybe a copy): nothing else writes it after this. */
	set = uevt_mm_own(umm);
	slot = uevt_set_lookup(set, key);
	WRITE_ONCE(slot->word, slot->word & ~UEVT_SLOT_LIVE);
	uevt_slot_unlink(slot);
	retired = uevt_mm_retired(umm, key);
	if (retired) {
		uevt_set_remove(set, slot);
		/* Failing this leaves a stale key only: registering it again retries. */
		uevt_mm_unretire(umm, key);
	}
	uevt_mm_end_change(umm);
	if (!retired) {
		mutex_unlock(&umm->lock);
		/* Still in the tree: an unmap racing with the clear retires it. */
		uevt_word_write(umm, slot, false, UEVT_WRITE_FAULT);
		mutex_lock(&umm->lock);
		/* A fork meanwhile may share the set: then a copy leaves it behind. */
		if (!uevt_mm_own_set(umm)) {
			if (uevt_set_lookup(uevt_mm_own(umm), key) == slot)
				uevt_set_remove(slot->set, slot);
			else
				slot = NULL;	/* the shared set still holds it */
			uevt_mm_end_change(umm);
		} else {
			slot = NULL;	/* not live, never written again; freed with its set */
		}
	}
	uevt_word_forget(umm, key);
	if (slot)
		uevt_slot_free(slot);
	slot = NULL;
unlock:
	uevt_mm_unlock_or_detach(umm);
	uevt_mm_writes_unlock(umm);
	uevt_mm_put(umm);
	return ret;
}
