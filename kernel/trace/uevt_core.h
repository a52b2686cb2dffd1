/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enable-bit core of uevt: private to uevt_set.c, uevt_mm.c,
 * uevt_write.c, uevt_reg.c and uevt_fork.c.  Start reading here.
 *
 * What it does
 * ------------
 * A process registers an enable word: (address, bit, size) in its own
 * memory, for an event.  The kernel keeps that bit equal to the event's
 * state.  It keeps (mm, virtual address), never a page reference: a write
 * lands in whatever page backs the address now (a copy-on-write copy, a
 * page swapped back in, a migrated page), translated again unless nothing
 * changed there since the last write (the translation cache, below).
 *
 * Sets and slots (uevt_set.c)
 * ---------------------------
 * The registrations of a process form a *set* of *slots*, one slot per
 * (address, bit): its event, address, bit and size.  A forked child shares
 * its parent's set instead of copying it, so a fork costs nothing per
 * registration and a child no memory per registration.  A set is changed
 * in place only while exactly one address space holds it; otherwise the
 * address space that wants to change it copies it first (copy on write).
 * Each event lists its slots, so a state change visits only the slots of
 * that event, each in every address space using the slot's set.
 *
 * What differs between address spaces sharing a set is kept per address
 * space (uevt_mm.c): which words are retired (their page was unmapped:
 * never written again, whatever gets mapped there next), in an immutable
 * table replaced on change; and which words are owed a write or failed
 * their last one, in small records that exist only while that is so.
 *
 * Writing words (uevt_write.c)
 * ----------------------------
 * A state change writes each word without faulting and without waiting on
 * anybody's mmap_lock.  A word it cannot write that way (page not present,
 * write-protected after fork, NUMA hinting, swapped out, zapped) is owed:
 * a record says so and the address space's fault work is queued.  That
 * work runs on a shared workqueue but never waits: it only completes
 * faults that need no I/O (copy-on-write, NUMA hints, zero fill; swap-in
 * is started, not waited for) and retries with backoff.  A write that
 * would have to wait for a file's page to be read is handed to the
 * process itself, as task work, which runs in one of its threads before
 * it next returns to user mode: a page whose read never completes stalls
 * that process and nobody else.  Nothing ever waits for userfaultfd.
 *
 * Translating again costs more than the write itself (mmap_lock, a page
 * table walk, a pin, the folio's lock), and mostly finds the page found
 * last time.  So each address space remembers the last few pages its
 * writes went through, without a reference, the way KVM's pfn caches do:
 * every change of what backs an address -- copy on write after fork,
 * migration, NUMA hinting, swap-out, zap, munmap, KSM, THP split,
 * write-protection -- starts with an mmu notifier invalidation, which
 * drops the cached pages of its range under the cache's lock before the
 * page table changes.  A write through the cache holds that lock, so the
 * page is still mapped at the address, and still the mm's, while it
 * writes.  A translation is cached only when no invalidation started or
 * ended while it was made.  Only swap-backed pages (anonymous, shmem) are
 * cached: marking them dirty needs no folio lock.  Writes that miss
 * translate as above.
 *
 * Fork (uevt_fork.c)
 * ------------------
 * The sched_process_fork hook runs in the parent before the child is
 * first woken.  It takes a reference on the parent's set and retired table
 * (a snapshot: whatever the parent does afterwards, the child sees these)
 * and queues task work on the child, which joins the set in the child's
 * own context before the child runs its first user instruction: from then
 * on its munmap/mremap/exec/exit are seen like anybody's.  The hook may
 * not sleep or allocate (PREEMPT_RT), so the task work comes from a small
 * reserve of join tickets in the parent, refilled by task work the hook
 * queues on the forking thread.  The child then reads its words, and
 * writes only those whose event changed state since fork(): copy-on-write
 * pages stay shared.
 *
 * The hook runs after the address space was copied, not with it: another
 * thread may map something new at an address and register a word there
 * in between, and the child, which holds what was mapped there before,
 * must not get that registration.  fork() lists itself on the process's
 * signal->multiprocess from before the copy until shortly after it, and
 * stamps the child's start_time in between.  A registration, after it
 * checked the word's mapping, looks at that list under siglock: empty, the
 * time it saw so is its quiet time.  A child whose start_time is not later
 * than the quiet time of a registration made live before its hook does not
 * inherit that registration; every other child was copied after the
 * mapping was checked.  While a fork is copying, the quiet time is pending
 * (no child gets the word) until a look sees the list empty: the
 * registration's own for a short while, a later registration's, or the
 * forking thread's once its fork is done.  Looks other than a
 * registration's only try write_lock (best effort).  Nothing waits for the
 * fork: it may wait for a userfaultfd the registering thread serves.  The
 * address space keeps the keys and quiet times of its last few
 * registrations for the hook to compare; a child forked before more of
 * them than that inherits nothing.  Processes that share the address space
 * without being threads of one process (clone(CLONE_VM) without
 * CLONE_THREAD) fork on lists of their own: their registrations stay
 * pending; so do a vfork() child's until one of its parent's threads
 * looks, and a vfork() child's own children inherit nothing.
 *
 * Lock order (outer first); each lock's rule is also next to it:
 *
 *   uevt_registry_mutex			(uevt_event.c)
 *     uevt_ctl_mutex				(uevt_ctl.c)
 *       event_mutex				(tracing core, held around ->reg(),
 *						 and around ->get_fields() when
 *						 the format file is read for an
 *						 operation, inside that file's
 *						 seq_file lock: a class of its own)
 *         uevt_event.slots_lock		(a state change)
 *           uevt_set.lock
 *             mmap_lock (read, trylock only)
 *               folio lock (trylock only)
 *                 uevt_mm.cache_lock (raw)	(caching the page written)
 *             uevt_mm.cache_lock (raw)		(a write through the cache)
 *             uevt_mm.spin			(owing a write)
 *
 *   uevt_file.lock				(uevt_file.c)
 *     uevt_registry_mutex			(creating an event)
 *
 *   uevt_mm.write_lock			(faulting writes of one mm)
 *     sighand_struct.siglock		(a registration's look at forks)
 *     uevt_mm.lock				(set changes of one mm)
 *       uevt_set.lock (the old set's, then the new one's)
 *       uevt_event.slots_lock		(linking and unlinking slots)
 *       mmap_lock (read: checks; write: only to attach, never with
 *		    uevt_mm.lock when detaching)
 *         uevt_mm.spin
 *           uevt_mm.pub_lock (raw)
 *     mmap_lock (read: faulting writes, the join's checks)
 *       folio lock (the process's own faulting writes only)
 *
 *   uevt_mms_lock				(the registry of mms)
 *     uevt_mm.lock				(status)
 *       uevt_mm.spin
 *
 * Dropping the last reference to an event takes no lock (it queues the
 * reaper), so freeing slots is allowed under any of these.  ->release of
 * an mm takes uevt_mm.lock, uevt_set.lock and slots_lock and runs from
 * the final mmput(): uevt never drops an mm reference under a lock other
 * than with mmput_async().
 *
 * uevt_mm.cache_lock (raw) is innermost: nothing but RCU is taken under
 * it, and the notifiers take it under the core mm's locks (i_mmap_rwsem,
 * anon_vma locks, folio locks).  The fork hook takes only
 * uevt_mm.pub_lock (a raw spinlock), under RCU.  The mmu notifiers take
 * only uevt_mm.spin, pub_lock and cache_lock, under RCU.  No lock is held
 * across a faulting access except uevt_mm.write_lock, which only the
 * process itself (its ioctls, its task work) ever waits for.
 */
#ifndef _UEVT_CORE_H
#define _UEVT_CORE_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "uevt_internal.h"

/*
 * A word's key: its bit and address as one number, the index of the set's
 * XArray.  The bit is the high part, so words next to one another in memory
 * (4-byte aligned: the address loses its two zero bits) with the same bit
 * are neighbouring indices and share the XArray's leaves: about 10 bytes
 * of index per registration, where address-major keys would give each word
 * a 576-byte leaf of its own.  User addresses are below 2^56, so the shift
 * loses nothing.  The words of an address range with one bit are one key
 * range; a set's @bits says which bits to look at.
 */
#define UEVT_KEY_BIT_SHIFT	56
#define uevt_key(addr, bit)	\
	((unsigned long)(bit) << UEVT_KEY_BIT_SHIFT | (unsigned long)(addr) >> 2)

/*
 * Every slot of a set, in key order.  @pos must start at 0; the iterator
 * leaves it one past the slot it returns (use uevt_slot_key()).  The
 * caller keeps the slots alive: it holds a set reference (a shared set
 * does not change), the set's lock, or the uevt_mm.lock of its only user.
 */
#define uevt_set_for_each(set, slot, pos) xa_for_each(&(set)->slots, pos, slot)

/**
 * struct uevt_slot - one registration: an enable word of a set
 * @ev_node: in @ev->slots from uevt_slot_link() to uevt_slot_unlink(), under
 *	@ev->slots_lock; empty before and after.  Shares memory with @rcu: a slot
 *	is unlinked before it is freed.
 * @rcu: frees the slot after RCU readers of its set's tree (the notifiers).
 * @set: the set holding it.
 * @ev: the event; the slot holds a reference.
 * @word: the word's key (uevt_key() of its address and bit, which gives
 *	both back) with UEVT_SLOT_SIZE8 and UEVT_SLOT_LIVE in the two bits
 *	keys never use; read with the uevt_slot_*() helpers.  Only
 *	UEVT_SLOT_LIVE changes after the slot enters a tree: live once the
 *	registration completed (state changes skip it until then).
 *
 * Forty bytes, from a cache of their own: a registration costs a slot and
 * its share of the XArray.
 *
 * A slot is linked to its event before it enters a set's tree and leaves
 * the tree before it is unlinked, so whoever copies a set (under the set's
 * lock) links its copies after the originals: a state change walking an
 * event's slots meets the original first.
 */
struct uevt_slot {
	union {
		struct list_head ev_node;
		struct rcu_head rcu;
	};
	struct uevt_set *set;
	struct uevt_event *ev;
	unsigned long word;
};

/* Keys use bits 0-61: the address's bits 2-55 and a bit number below 64. */
#define UEVT_SLOT_SIZE8		BIT(62)
#define UEVT_SLOT_LIVE		BIT(63)
#define UEVT_SLOT_FLAGS		(UEVT_SLOT_SIZE8 | UEVT_SLOT_LIVE)

static inline unsigned long uevt_slot_addr(const struct uevt_slot *slot)
{
	return (READ_ONCE(slot->word) & GENMASK(UEVT_KEY_BIT_SHIFT - 1, 0)) << 2;
}

static inline unsigned int uevt_slot_bit(const struct uevt_slot *slot)
{
	return (READ_ONCE(slot->word) >> UEVT_KEY_BIT_SHIFT) & 63;
}

static inline unsigned int uevt_slot_size(const struct uevt_slot *slot)
{
	return READ_ONCE(slot->word) & UEVT_SLOT_SIZE8 ? 8 : 4;
}

static inline bool uevt_slot_live(const struct uevt_slot *slot)
{
	return READ_ONCE(slot->word) & UEVT_SLOT_LIVE;
}

/**
 * struct uevt_set - the registrations shared by the address spaces forked
 *	from one another
 * @ref: one per address space using the set (on @mms) and one per fork
 *	snapshot not joined yet.  The set may change in place only while
 *	this is one.
 * @lock: protects @mms.  A state change holds it while writing the words
 *	of its users without faulting; joins and leaves take it.
 * @mms: the address spaces using the set (uevt_mm.set_node).
 * @users: entries in @mms; read locklessly for the status file.
 * @slots: key -> slot.  Changed by the set's only user under its
 *	uevt_mm.lock; read under that lock or RCU.
 * @nr: slots in @slots; written with them.
 * @bits: every enable bit number any slot of @slots ever had, for the
 *	walks of an address range; only grows, under @lock.
 * @rcu: frees the structure after RCU readers.
 */
struct uevt_set {
	refcount_t ref;
	/* Protects mms; held across the non-faulting writes of a state change. */
	struct mutex lock;
	struct list_head mms;
	unsigned int users;
	struct xarray slots;
	unsigned int nr;
	u64 bits;
	struct rcu_head rcu;
};

/**
 * struct uevt_retired - the retired words of an address space, immutable
 * @ref: the address space holding it, and fork snapshots.
 * @rcu: frees it after RCU readers.
 * @nr: entries in @keys.
 * @keys: the keys, sorted.
 */
struct uevt_retired {
	refcount_t ref;
	struct rcu_head rcu;
	unsigned int nr;
	unsigned long keys[];
};

/* struct uevt_word.flags */
enum {
	UEVT_WORD_OWED,		/* a write is owed */
	UEVT_WORD_FRESH,	/* owed anew: start a fresh retry budget */
	UEVT_WORD_PROCESS,	/* only the process itself can write it (I/O, or out of retries) */
};

/**
 * struct uevt_word - what one address space owes one of its words
 * @node: in uevt_mm.words, hashed by @key; under uevt_mm.spin.
 * @batch: a writer's private list while it works on the record.
 * @key: the word.
 * @flags: UEVT_WORD_* bits.
 * @last_err: result of the last write (0 or a negative errno).
 * @retries: failed attempts since the last fresh start; the writer's.
 *
 * A record exists only while a write is owed or the last one failed.  It
 * names a word, not a slot: whoever writes it looks the word up in the
 * address space's current set, so no owed write is lost when the address
 * space moves to another set.
 */
struct uevt_word {
	struct hlist_node node;
	struct list_head batch;
	unsigned long key;
	unsigned long flags;
	int last_err;
	unsigned int retries;
};

/* struct uevt_mm.flags */
enum {
	UEVT_MM_RESYNC,		/* a record was not allocated: check every word */
	UEVT_MM_RETIRE_ALL,	/* a retirement was not recorded: write nothing */
	UEVT_MM_FIXER_QUEUED,	/* @fixer is queued on one of the threads */
	UEVT_MM_WORK_DEFERRED,	/* @fault_work found write_lock taken: requeue it */
	UEVT_MM_DEAD,		/* detached or released: nothing more to do */
};

/* Pages an address space's writes went through, remembered (uevt_write.c). */
#define UEVT_MM_CACHE	4

/* Registrations an address space remembers for the fork hook (see Fork). */
#define UEVT_MM_RECENT	8

/* A quiet time not known yet: later than every child's start. */
#define UEVT_QUIET_PENDING	U64_MAX

/**
 * struct uevt_recent - a registration made live, for the fork hook
 * @key: the word.
 * @quiet_ns: when its registration, or a later look, saw no fork copying
 *	the address space (ktime_get_ns(), after checking the word's
 *	mapping); UEVT_QUIET_PENDING: not seen yet; 0: unused.
 */
struct uevt_recent {
	unsigned long key;
	u64 quiet_ns;
};

/**
 * struct uevt_page_cache - a page a write went through, without a reference
 * @addr: the page's user address; meaningful only with @page.
 * @page: the page mapped there when it was cached, or NULL.
 */
struct uevt_page_cache {
	unsigned long addr;
	struct page *page;
};

/**
 * struct uevt_mm - uevt's state of one address space
 * @mn: the notifier.
 * @mm: the address space, grabbed from allocation until freed (@mn.mm is
 *	set only once the notifier is registered).
 * @attached: this structure owns one reference to @mn, dropped when the
 *	mm has no set left or dies.  Changed under the mm's mmap_lock held
 *	for writing, or in ->release.
 * @ref: the notifier's reference, temporary users', queued task work's.
 * @write_lock: serialises the writes that may fault with unregistration
 *	and with each other.  Only the process itself ever sleeps on it.
 * @lock: serialises changes of @set and of its slots; never held across
 *	a fault, so the status file may take it.
 * @spin: protects @words, @nr_words and the retirement of words, for the
 *	notifiers, which must not sleep.
 * @pub_lock: raw; the fork hook reads @set, @retired, @spare, @busy and
 *	@late under it.  @set and @retired change under @spin and @pub_lock
 *	(and @lock for @set).
 * @set: the registrations this mm uses, or NULL; holds a set reference.
 * @set_node: in @set->mms, under @set->lock.
 * @retired: this mm's retired words, or NULL; holds a reference.
 * @words: per-word records, hashed by key.
 * @nr_words: entries in @words; writers skip the lookup while it is 0.
 * @flags: UEVT_MM_* bits.
 * @spare: join tickets for the fork hook, under @pub_lock.
 * @nr_spare: entries in @spare.
 * @busy: @set is being changed in place (it had one reference when the
 *	change began): the fork hook must not share it now.  Under @pub_lock.
 * @late: joins of children forked while @busy, served with a snapshot
 *	when the change ends; under @pub_lock.
 * @recent: the last UEVT_MM_RECENT registrations made live, under
 *	@pub_lock.
 * @recent_next: the entry of @recent the next one replaces; under @pub_lock.
 * @recent_newest: the latest quiet time in @recent or that left it;
 *	written under @pub_lock, read without it as a hint.
 * @recent_floor: the latest quiet time that left @recent; under @pub_lock.
 * @recent_floor_pending: one left @recent still pending; under @pub_lock.
 * @fault_work: completes owed writes without waiting.
 * @fixer: task work completing owed writes in the process's own context.
 * @free_work: frees the structure in process context.
 * @hnode: in uevt_mm_hash (found by the fork hook under RCU).
 * @node: in uevt_mms; under uevt_mms_lock.
 * @rcu: frees the structure after RCU readers of uevt_mm_hash.
 * @tgid: the process, to find a thread for @fixer; a reference.
 * @comm: its command name, for the status file.
 * @cache_lock: raw, innermost; protects @cache, @cache_seq, @cache_inval,
 *	@cache_off and @cache_next.  Every invalidation takes it, sleeping or
 *	not (the OOM reaper's).
 * @cache_seq: bumped when an invalidation starts and when it ends.
 * @cache_inval: invalidations started and not ended.
 * @cache_off: the notifier is going away (dead, detached): no invalidation
 *	will reach us, so nothing is cached or written through the cache.
 * @cache_next: the entry of @cache the next new page replaces.
 * @cache: pages recent writes went through.
 */
struct uevt_mm {
	struct mmu_notifier mn;
	struct mm_struct *mm;
	bool attached;
	struct kref ref;
	/* Faulting writes of this mm; only its own threads sleep on it. */
	struct mutex write_lock;
	/* Set changes of this mm; never held across a fault. */
	struct mutex lock;
	/* Records and retirement, for the notifiers. */
	spinlock_t spin;
	/* What the fork hook reads: set, retired, spare tickets. */
	raw_spinlock_t pub_lock;
	struct uevt_set __rcu *set;
	struct list_head set_node;
	struct uevt_retired __rcu *retired;
	DECLARE_HASHTABLE(words, 4);
	unsigned int nr_words;
	unsigned long flags;
	struct llist_head spare;
	unsigned int nr_spare;
	bool busy;
	struct list_head late;
	struct uevt_recent recent[UEVT_MM_RECENT];
	unsigned int recent_next;
	u64 recent_newest;
	u64 recent_floor;
	bool recent_floor_pending;
	struct delayed_work fault_work;
	struct callback_head fixer;
	struct work_struct free_work;
	struct hlist_node hnode;
	struct list_head node;
	struct rcu_head rcu;
	struct pid *tgid;
	char comm[TASK_COMM_LEN];
	/* Innermost: the cache, for writes and every invalidation. */
	raw_spinlock_t cache_lock;
	unsigned long cache_seq;
	unsigned int cache_inval;
	bool cache_off;
	unsigned int cache_next;
	struct uevt_page_cache cache[UEVT_MM_CACHE];
};

/**
 * struct uevt_join - a fork's snapshot, on its way into the child
 * @child_work: task work on the child: join the set (uevt_join_run()).
 * @drop_work: instead, when the task work could not be queued.
 * @refill: task work on the forking thread: a new spare ticket.
 * @node: in the parent's @spare while unused.
 * @late_node: in the parent's @late while the snapshot waits for a change.
 * @served: the snapshot is in @set and @retired (a late join waits here).
 * @ref: @child_work and @refill.
 * @parent: the parent's state, with a reference (for @refill).
 * @set: the snapshot: the parent's set, with a reference.
 * @retired: the parent's retired table at fork, with a reference, or NULL.
 * @retire_all: the parent had stopped writing altogether.
 * @child_mm: the child's mm, to recognise it (no reference).
 * @child_start: the child's start_time, stamped while fork() copied it.
 * @nr_exclude: entries in @exclude.
 * @exclude: words registered after the child's copy may have begun: the
 *	child retires them, whatever it holds at their address.
 * @exclude_all: more were registered than the parent remembers, or the
 *	parent is a vfork() child: the child retires every word it inherits.
 * @from_vfork: the forking task is a vfork() child, whose mm is its
 *	parent's: other processes' forks copy it unseen.
 */
struct uevt_join {
	union {
		struct callback_head child_work;
		struct work_struct drop_work;
	};
	struct callback_head refill;
	struct llist_node node;
	struct list_head late_node;
	struct completion served;
	refcount_t ref;
	struct uevt_mm *parent;
	struct uevt_set *set;
	struct uevt_retired *retired;
	bool retire_all;
	struct mm_struct *child_mm;
	u64 child_start;
	unsigned int nr_exclude;
	unsigned long exclude[UEVT_MM_RECENT];
	bool exclude_all;
	bool from_vfork;
};

/* How a word may be written. */
enum uevt_write_mode {
	UEVT_WRITE_NOFAULT,	/* a state change: no fault, no waiting */
	UEVT_WRITE_NOWAIT,	/* fault work: faults that need no I/O */
	UEVT_WRITE_FAULT,	/* the process itself: fault as a user access would */
};

extern struct workqueue_struct *uevt_wq;

static inline unsigned long uevt_slot_key(const struct uevt_slot *slot)
{
	return READ_ONCE(slot->word) & ~UEVT_SLOT_FLAGS;
}

/* uevt_set.c */
struct uevt_set *uevt_set_alloc(void);
void uevt_set_put(struct uevt_set *set);
struct uevt_set *uevt_set_copy(struct uevt_set *old);
struct uevt_slot *uevt_set_lookup(struct uevt_set *set, unsigned long key);
int uevt_set_insert(struct uevt_set *set, struct uevt_slot *slot);
void uevt_set_remove(struct uevt_set *set, struct uevt_slot *slot);
void uevt_slot_link(struct uevt_slot *slot);
void uevt_slot_unlink(struct uevt_slot *slot);
struct uevt_slot *uevt_slot_alloc(void);
void uevt_slot_free(struct uevt_slot *slot);
bool uevt_retired_has(const struct uevt_retired *r, unsigned long key);
struct uevt_retired *uevt_retired_with(const struct uevt_retired *r, const unsigned long *keys,
				       unsigned int n, gfp_t gfp);
/*
 * The keys of bit @b of the words in [@start, @end) are [@first, @last];
 * false when no slot of @set ever had bit @b.
 */
static inline bool uevt_set_bit_range(struct uevt_set *set, unsigned int b, unsigned long start,
				      unsigned long end, unsigned long *first, unsigned long *last)
{
	if (!(READ_ONCE(set->bits) & BIT_ULL(b)))
		return false;
	*first = uevt_key(start, b);
	*last = uevt_key(end - 1, b);
	return true;
}

struct uevt_retired *uevt_retired_with_range(const struct uevt_retired *r, struct uevt_set *set,
					     unsigned long start, unsigned long end, gfp_t gfp);
struct uevt_retired *uevt_retired_without(const struct uevt_retired *r, unsigned long key);
void uevt_retired_put(struct uevt_retired *r);

/* uevt_mm.c */
struct uevt_mm *uevt_mm_get_current(unsigned long addr, unsigned int size);
struct uevt_mm *uevt_mm_find_current(void);
struct uevt_mm *uevt_mm_attach(struct mm_struct *mm);
void uevt_mm_put(struct uevt_mm *umm);
bool uevt_mm_retire_if_empty(struct uevt_mm *umm);
bool uevt_mm_unlock_or_detach(struct uevt_mm *umm);
void uevt_mm_detach(struct uevt_mm *umm);
bool uevt_mm_fork_snapshot(struct uevt_mm *umm, struct uevt_join *join);
void uevt_mm_note_live(struct uevt_mm *umm, unsigned long key, u64 quiet_ns);
void uevt_mm_quiet_seen(struct uevt_mm *umm, u64 quiet_ns);
int uevt_mm_drop_dead(struct uevt_mm *umm);
bool uevt_mm_quiet_pending(struct uevt_mm *umm);
bool uevt_settle_quiet(struct uevt_mm *umm);
void uevt_mm_end_change(struct uevt_mm *umm);
void uevt_mm_publish(struct uevt_mm *umm, struct uevt_set *set, struct uevt_retired *retired);
void uevt_mm_set_retired(struct uevt_mm *umm, struct uevt_retired *retired);
int uevt_mm_unretire(struct uevt_mm *umm, unsigned long key);
int uevt_mm_own_set(struct uevt_mm *umm);
bool uevt_mm_retired(struct uevt_mm *umm, unsigned long key);
unsigned int uevt_mm_live_words(struct uevt_mm *umm);
bool uevt_word_mapped(struct mm_struct *mm, unsigned long addr, unsigned int size);
struct uevt_mm *uevt_mm_find_rcu(struct mm_struct *mm);
void uevt_mm_refill_spare(struct uevt_mm *umm);

/* uevt_write.c */
int uevt_word_write(struct uevt_mm *umm, const struct uevt_slot *slot, bool set,
		    enum uevt_write_mode mode);
int uevt_word_write_current(struct uevt_mm *umm, const struct uevt_slot *slot,
			    enum uevt_write_mode mode);
void uevt_word_owe(struct uevt_mm *umm, unsigned long key);
void uevt_word_forget(struct uevt_mm *umm, unsigned long key);
unsigned long uevt_words_settle(struct uevt_mm *umm, enum uevt_write_mode mode);
void uevt_mm_writes_unlock(struct uevt_mm *umm);
void uevt_mm_fault_work(struct work_struct *work);
void uevt_word_state(struct uevt_mm *umm, unsigned long key, int *err, bool *owed,
		     unsigned int *retries);
void uevt_words_free(struct uevt_mm *umm);
void uevt_cache_invalidate_start(struct uevt_mm *umm, unsigned long start, unsigned long end);
void uevt_cache_invalidate_end(struct uevt_mm *umm);
void uevt_cache_off(struct uevt_mm *umm);

/* uevt_fork.c */
struct uevt_join *uevt_join_alloc(gfp_t gfp);
void uevt_join_free(struct uevt_join *join);

#endif /* _UEVT_CORE_H */
