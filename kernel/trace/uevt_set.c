// SPDX-License-Identifier: GPL-2.0
/*
 * Sets of registrations (slots), shared copy-on-write by the address spaces
 * forked from one another, and the immutable tables of retired words.  The
 * design is described in uevt_core.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "uevt_core.h"

/**
 * uevt_set_alloc() - a new, empty set with one reference
 *
 * Return: the set, or NULL without memory.
 */
struct uevt_set *uevt_set_alloc(void)
{
	struct uevt_set *set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);

	if (!set)
		return NULL;
	refcount_set(&set->ref, 1);
	mutex_init(&set->lock);
	INIT_LIST_HEAD(&set->mms);
	/* Charged to the registering task's memory cgroup, as the slots are. */
	xa_init_flags(&set->slots, XA_FLAGS_ACCOUNT);
	return set;
}

/* Slots: forty bytes each, charged to the registering task's memory cgroup. */
static struct kmem_cache *uevt_slot_cache;

/**
 * uevt_slot_alloc() - a zeroed slot
 *
 * Context: process context, may sleep.
 * Return: the slot, or NULL without memory.
 */
struct uevt_slot *uevt_slot_alloc(void)
{
	return kmem_cache_zalloc(uevt_slot_cache, GFP_KERNEL);
}

static void uevt_slot_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(uevt_slot_cache, container_of(rcu, struct uevt_slot, rcu));
}

/**
 * uevt_slots_init() - create the slot cache
 *
 * Return: 0 or -ENOMEM.
 */
int uevt_slots_init(void)
{
	BUILD_BUG_ON(sizeof(struct uevt_slot) > 40);
	uevt_slot_cache = KMEM_CACHE(uevt_slot, SLAB_ACCOUNT);
	return uevt_slot_cache ? 0 : -ENOMEM;
}

/**
 * uevt_slots_exit() - destroy the slot cache once the last slot is freed
 *
 * Context: process context, after every set is gone; waits for the RCU
 * callbacks freeing slots.
 */
void uevt_slots_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(uevt_slot_cache);
}

/**
 * uevt_slot_link() - make a slot reachable from its event
 * @slot: a slot not in any set's tree yet.
 *
 * State changes find it from now on, but skip it until it is live.
 * Context: process context; no set lock held.
 */
void uevt_slot_link(struct uevt_slot *slot)
{
	struct uevt_event *ev = slot->ev;

	mutex_lock(&ev->slots_lock);
	list_add_tail(&slot->ev_node, &ev->slots);
	mutex_unlock(&ev->slots_lock);
}

/**
 * uevt_slot_unlink() - take a slot out of its event's list
 * @slot: the slot, linked or not (an unregistration unlinks a slot that
 *	may stay in a shared set, which unlinks it again when freed).
 *
 * No state change writes it after this returns.
 * Context: process context; no set lock held.
 */
void uevt_slot_unlink(struct uevt_slot *slot)
{
	struct uevt_event *ev = slot->ev;

	mutex_lock(&ev->slots_lock);
	list_del_init(&slot->ev_node);
	mutex_unlock(&ev->slots_lock);
}

/**
 * uevt_slot_free() - free an unlinked slot and drop its event reference
 * @slot: the slot, unlinked or never linked, out of every tree.
 *
 * Notifiers may still read it (and its event) under RCU: both are freed
 * only after a grace period.
 * Context: process context; may take uevt_registry_mutex.
 */
void uevt_slot_free(struct uevt_slot *slot)
{
	uevt_event_put(slot->ev);
	call_rcu(&slot->rcu, uevt_slot_free_rcu);
}

static void uevt_set_free(struct uevt_set *set)
{
	struct uevt_slot *slot;
	unsigned long pos;

	WARN_ON_ONCE(!list_empty(&set->mms));
	/* Nobody else holds the set: its tree no longer changes. */
	pos = 0;
	uevt_set_for_each(set, slot, pos) {
		uevt_slot_unlink(slot);
		uevt_slot_free(slot);
	}
	xa_destroy(&set->slots);
	kfree_rcu(set, rcu);
}

/**
 * uevt_set_put() - drop a reference to a set
 * @set: the set, or NULL.
 *
 * The last reference frees the set and its slots.
 * Context: process context; no uevt lock held but the caller's
 * uevt_mm.lock (slots are unlinked from their events).
 */
void uevt_set_put(struct uevt_set *set)
{
	if (set && refcount_dec_and_test(&set->ref))
		uevt_set_free(set);
}

/**
 * uevt_set_lookup() - the slot of a word in a set
 * @set: the set.
 * @key: the word.
 *
 * Context: the caller keeps the slot alive: it holds the uevt_mm.lock of
 * the set's only user, the set's lock, or the RCU read lock.
 * Return: the slot, live or not, or NULL.
 */
struct uevt_slot *uevt_set_lookup(struct uevt_set *set, unsigned long key)
{
	return xa_load(&set->slots, key);
}

/**
 * uevt_set_insert() - add a linked slot to a set
 * @set: the set; the caller is its only user, under that uevt_mm.lock.
 * @slot: the slot, linked to its event, not live yet.
 *
 * Context: process context, may sleep.
 * Return: 0, -EEXIST when the word is in the set already, or -ENOMEM.
 */
int uevt_set_insert(struct uevt_set *set, struct uevt_slot *slot)
{
	int ret;

	mutex_lock(&set->lock);
	/* Before the slot is visible: see uevt_retired_with_range(). */
	WRITE_ONCE(set->bits, set->bits | BIT_ULL(uevt_slot_bit(slot)));
	ret = xa_insert(&set->slots, uevt_slot_key(slot), slot, GFP_KERNEL_ACCOUNT);
	if (ret == -EBUSY)
		ret = -EEXIST;
	if (!ret) {
		slot->set = set;
		WRITE_ONCE(set->nr, set->nr + 1);
	}
	mutex_unlock(&set->lock);
	return ret;
}

/**
 * uevt_set_remove() - take a slot out of a set's tree
 * @set: the set; its only user, under that uevt_mm.lock, or a registration
 *	undoing its own slot that never went live.
 * @slot: the slot; the caller unlinks and frees it afterwards.
 *
 * Context: process context.
 */
void uevt_set_remove(struct uevt_set *set, struct uevt_slot *slot)
{
	mutex_lock(&set->lock);
	xa_erase(&set->slots, uevt_slot_key(slot));
	WRITE_ONCE(set->nr, set->nr - 1);
	mutex_unlock(&set->lock);
}

/**
 * uevt_set_copy() - copy a set's live slots
 * @old: the set to copy; the caller uses it.
 *
 * The copies are linked to their events after the originals (see struct
 * uevt_slot), and are live.
 *
 * Context: process context, may sleep.
 * Return: a new set with one reference, or NULL without memory.
 */
struct uevt_set *uevt_set_copy(struct uevt_set *old)
{
	struct uevt_set *set = uevt_set_alloc();
	struct uevt_slot *slot, *copy;
	unsigned long pos;
	int ret = 0;

	if (!set)
		return NULL;
	mutex_lock(&old->lock);
	set->bits = old->bits;
	pos = 0;
	uevt_set_for_each(old, slot, pos) {
		if (!uevt_slot_live(slot))
			continue;
		copy = uevt_slot_alloc();
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		INIT_LIST_HEAD(&copy->ev_node);
		copy->ev = slot->ev;
		copy->word = READ_ONCE(slot->word);
		copy->set = set;
		ret = xa_insert(&set->slots, uevt_slot_key(copy), copy, GFP_KERNEL_ACCOUNT);
		if (ret) {
			kmem_cache_free(uevt_slot_cache, copy);
			break;
		}
		/* The original holds one: this cannot be the first. */
		uevt_event_get(copy->ev);
		set->nr++;
	}
	mutex_unlock(&old->lock);
	pos = 0;
	uevt_set_for_each(set, copy, pos) {
		/* Never visible to anybody on failure: freed unlinked. */
		if (ret)
			uevt_slot_free(copy);
		else
			uevt_slot_link(copy);
	}
	if (ret) {
		xa_destroy(&set->slots);
		kfree(set);
		return NULL;
	}
	return set;
}

/* ---- retired words ---- */

static int uevt_key_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/**
 * uevt_retired_has() - is a word in a retired table?
 * @r: the table, or NULL (nothing retired).
 * @key: the word.
 *
 * Context: any.
 * Return: true when @key is retired in @r.
 */
bool uevt_retired_has(const struct uevt_retired *r, unsigned long key)
{
	return r && bsearch(&key, r->keys, r->nr, sizeof(r->keys[0]), uevt_key_cmp);
}

static struct uevt_retired *uevt_retired_alloc(unsigned int nr, gfp_t gfp)
{
	struct uevt_retired *r = kmalloc(struct_size(r, keys, nr), gfp | __GFP_ACCOUNT);

	if (r)
		refcount_set(&r->ref, 1);
	return r;
}

/**
 * uevt_retired_with() - a table holding another table's words and more
 * @r: the old table, or NULL.
 * @keys: words to add, sorted; those already in @r are not repeated.
 * @n: entries in @keys.
 * @gfp: allocation flags (atomic ones from the notifiers).
 *
 * Context: any that @gfp allows.
 * Return: the new table with one reference, or NULL without memory.
 */
struct uevt_retired *uevt_retired_with(const struct uevt_retired *r, const unsigned long *keys,
				       unsigned int n, gfp_t gfp)
{
	unsigned int old = r ? r->nr : 0, i = 0, j = 0, k = 0;
	struct uevt_retired *new = uevt_retired_alloc(old + n, gfp);

	if (!new)
		return NULL;
	while (i < old || j < n) {
		if (j == n || (i < old && r->keys[i] <= keys[j])) {
			if (j < n && r->keys[i] == keys[j])
				j++;
			new->keys[k++] = r->keys[i++];
		} else {
			new->keys[k++] = keys[j++];
		}
	}
	new->nr = k;
	return new;
}

/**
 * uevt_retired_with_range() - a table holding another table's words and
 *	every word a set holds in an address range
 * @r: the old table, or NULL.
 * @set: the set, read under RCU.
 * @start: first address of the range.
 * @end: the address after the range.
 * @gfp: allocation flags (atomic ones from the notifiers).
 *
 * One allocation: the set's words are counted, then merged in, one key
 * range per bit in ascending order, which is key order.  A registration
 * may add a word (or a bit) in between (its own mapping check then fails
 * it): finding more words than counted returns -EAGAIN, and the caller
 * counts again, rather than leave any word out.
 *
 * Context: under rcu_read_lock().
 * Return: the new table with one reference, NULL when the range adds
 * nothing, ERR_PTR(-ENOMEM) or ERR_PTR(-EAGAIN).
 */
struct uevt_retired *uevt_retired_with_range(const struct uevt_retired *r, struct uevt_set *set,
					     unsigned long start, unsigned long end, gfp_t gfp)
{
	unsigned int old = r ? r->nr : 0, n = 0, i = 0, k = 0, b;
	unsigned long key, first, last;
	struct uevt_retired *new;
	struct uevt_slot *slot;

	for (b = 0; b < 64; b++) {
		if (!uevt_set_bit_range(set, b, start, end, &first, &last))
			continue;
		xa_for_each_range(&set->slots, key, slot, first, last)
			n += !uevt_retired_has(r, key);
	}
	if (!n)
		return NULL;
	new = uevt_retired_alloc(old + n, gfp);
	if (!new)
		return ERR_PTR(-ENOMEM);
	for (b = 0; b < 64; b++) {
		if (!uevt_set_bit_range(set, b, start, end, &first, &last))
			continue;
		xa_for_each_range(&set->slots, key, slot, first, last) {
			if (uevt_retired_has(r, key))
				continue;
			if (!n) {
				/* More words than counted: see above. */
				kfree(new);
				return ERR_PTR(-EAGAIN);
			}
			while (i < old && r->keys[i] < key)
				new->keys[k++] = r->keys[i++];
			new->keys[k++] = key;
			n--;
		}
	}
	while (i < old)
		new->keys[k++] = r->keys[i++];
	new->nr = k;
	return new;
}

/**
 * uevt_retired_without() - a table without one word
 * @r: the old table (not NULL).
 * @key: the word to drop.
 *
 * Context: process context, may sleep.
 * Return: the new table with one reference, NULL when it would be empty,
 * or ERR_PTR(-ENOMEM).
 */
struct uevt_retired *uevt_retired_without(const struct uevt_retired *r, unsigned long key)
{
	struct uevt_retired *new;
	unsigned int i, k = 0;

	if (r->nr <= 1)
		return NULL;
	new = uevt_retired_alloc(r->nr - 1, GFP_KERNEL);
	if (!new)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < r->nr; i++)
		if (r->keys[i] != key && k < r->nr - 1)
			new->keys[k++] = r->keys[i];
	new->nr = k;
	return new;
}

/**
 * uevt_retired_put() - drop a reference to a retired table
 * @r: the table, or NULL.
 *
 * Context: any; the table is freed after an RCU grace period.
 */
void uevt_retired_put(struct uevt_retired *r)
{
	if (r && refcount_dec_and_test(&r->ref))
		kfree_rcu(r, rcu);
}
