// SPDX-License-Identifier: GPL-2.0
/*
 * Registering and unregistering enable words of the calling process.  The
 * design is described in uevt_core.h.
 *
 * A registration makes its slot (linked to the event, then in the set's
 * tree, where the notifiers see it), checks the word's mapping once more
 * (an munmap racing with us either fails the registration or retires the
 * word), and only then makes it live and writes the event's state into it,
 * in the process's own context.  An unregistration takes the slot out of
 * the set and off its event, so nothing else writes the word, then clears
 * the bit.  Both hold the process's write_lock throughout, so neither the
 * fault work nor the process's own task work writes a word that is going.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uevt_core.h"

/* May @umm take a registration at @key?  Under its lock. */
static int uevt_mm_may_add(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_set *set = rcu_dereference_protected(umm->set, lockdep_is_held(&umm->lock));
	struct uevt_slot *slot = set ? uevt_set_lookup(set, key) : NULL;

	lockdep_assert_held(&umm->lock);
	if (slot && slot->live && !uevt_mm_retired(umm, key))
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
 * already), -ENOSPC (too many in this process), -EINVAL (no user memory),
 * -EINTR.
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
 * retired, and its old (retired) slot goes.  Under umm->lock.
 */
static int uevt_mm_replace_retired(struct uevt_mm *umm, struct uevt_set *set, unsigned long key)
{
	struct uevt_slot *old = uevt_set_lookup(set, key);
	int ret;

	if (old) {
		/* Out of the tree and off its event first: nothing writes it. */
		uevt_set_remove(set, old);
		uevt_slot_unlink(old);
		uevt_slot_free(old);
	}
	ret = uevt_mm_unretire(umm, key);
	return ret;
}

/*
 * A process that keeps unmapping words without unregistering them keeps
 * retired slots (they do not count against max_enablers_per_mm, and may
 * still be unregistered).  Past twice that many slots in all, forget the
 * retired ones.  Under umm->lock, the set our own.
 */
static void uevt_mm_forget_retired(struct uevt_mm *umm, struct uevt_set *set)
{
	struct uevt_retired *r;
	struct uevt_slot *slot;
	unsigned int i;

	if (set->nr < 2 * READ_ONCE(uevt_max_enablers_per_mm))
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
	unsigned long key = uevt_key(reg->enable_addr, reg->enable_bit);
	struct uevt_slot *slot;
	struct uevt_set *set;
	struct uevt_mm *umm;
	bool mapped;
	int ret;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	uevt_event_get(ev);
	slot->ev = ev;
	slot->addr = reg->enable_addr;
	slot->bit = reg->enable_bit;
	slot->size = reg->enable_size;
again:
	umm = uevt_mm_get_current(slot->addr, slot->size);
	if (IS_ERR(umm)) {
		uevt_slot_free(slot);
		return PTR_ERR(umm);
	}
	mutex_lock(&umm->write_lock);
	mutex_lock(&umm->lock);
	if (test_bit(UEVT_MM_DEAD, &umm->flags)) {
		/* Its last word went a moment ago: start again with a new one. */
		mutex_unlock(&umm->lock);
		uevt_mm_writes_unlock(umm);
		uevt_mm_put(umm);
		goto again;
	}
	ret = uevt_mm_may_add(umm, key);
	if (!ret)
		ret = uevt_mm_own_set(umm);
	set = rcu_dereference_protected(umm->set, lockdep_is_held(&umm->lock));
	if (!ret)
		ret = uevt_mm_replace_retired(umm, set, key);
	if (ret)
		goto fail;
	uevt_mm_forget_retired(umm, set);
	uevt_slot_link(slot);
	ret = uevt_set_insert(set, slot);
	if (ret) {
		uevt_slot_unlink(slot);
		goto fail;
	}
	mutex_unlock(&umm->lock);

	/* In the tree now: an unmap from here on retires the word. */
	mmap_read_lock(current->mm);
	mapped = uevt_word_mapped(current->mm, slot->addr, slot->size);
	mmap_read_unlock(current->mm);
	if (!mapped) {
		/* Never live: taken out again, even if a fork shares the set. */
		mutex_lock(&umm->lock);
		uevt_set_remove(set, slot);
		uevt_slot_unlink(slot);
		ret = -EFAULT;
		goto fail;
	}
	/* Live only now: state changes reading it see the slot complete. */
	smp_store_release(&slot->live, true);
	/* Our own mm, in our own context: faulting the page in is fine. */
	ret = uevt_word_write_current(umm, slot, UEVT_WRITE_FAULT);
	if (ret && ret != -ENXIO && ret != -ESRCH)
		uevt_word_owe(umm, key);
	uevt_mm_writes_unlock(umm);
	uevt_mm_put(umm);
	return 0;

fail:
	uevt_mm_detach_if_empty(umm);
	mutex_unlock(&umm->lock);
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
 * or -ENOMEM when its shared registrations could not be copied.
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
	mutex_lock(&umm->write_lock);
	mutex_lock(&umm->lock);
	set = rcu_dereference_protected(umm->set, lockdep_is_held(&umm->lock));
	slot = set ? uevt_set_lookup(set, key) : NULL;
	if (!slot || !slot->live || test_bit(UEVT_MM_DEAD, &umm->flags)) {
		mutex_unlock(&umm->lock);
		ret = -ENOENT;
		goto out;
	}
	retired = uevt_mm_retired(umm, key);
	/* A copy leaves retired words out: then there is nothing more to do. */
	ret = uevt_mm_own_set(umm);
	set = rcu_dereference_protected(umm->set, lockdep_is_held(&umm->lock));
	slot = ret ? NULL : uevt_set_lookup(set, key);
	if (slot && retired) {
		uevt_set_remove(set, slot);
		uevt_slot_unlink(slot);
		/* Failing this leaves a stale key only: registering it again retries. */
		uevt_mm_unretire(umm, key);
	}
	mutex_unlock(&umm->lock);
	if (slot && !retired) {
		/*
		 * Off its event: no state change writes it.  Still in the tree,
		 * so an unmap racing with the clear retires it: we never clear a
		 * bit of whatever gets mapped there next.
		 */
		uevt_slot_unlink(slot);
		uevt_word_write(umm, slot, false, UEVT_WRITE_FAULT);
		mutex_lock(&umm->lock);
		uevt_set_remove(set, slot);
		mutex_unlock(&umm->lock);
	}
	if (slot) {
		uevt_word_forget(umm, key);
		uevt_slot_free(slot);
	}
out:
	mutex_lock(&umm->lock);
	uevt_mm_detach_if_empty(umm);
	mutex_unlock(&umm->lock);
	uevt_mm_writes_unlock(umm);
	uevt_mm_put(umm);
	return ret;
}
