// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of VMA merging, on real address spaces inside a running kernel.
 *
 * Each case builds an address space of its own: mm_alloc(), adopted by the
 * case's kthread with kthread_use_mm(), then filled with vm_mmap(),
 * vm_brk_flags() and the exported mm/vma.c functions, under the real mmap
 * lock.  Pages are faulted with copy_to_user(), which gives the VMAs a real
 * anon_vma.  A case then checks the exact layout: every VMA's range and page
 * offset, anon_vma identity, map_count, data read back, and validate_mm().
 *
 * The functions under test are exported for KUnit only (<linux/vma_kunit.h>,
 * namespace EXPORTED_FOR_KUNIT_TESTING), by the vma-merge stack for 6.1.
 *
 * No case uses KUNIT_ASSERT_*() or kunit_skip(): they end the case's
 * kthread, which would exit with the test mm still adopted.  A case checks
 * with KUNIT_EXPECT_*() and returns by itself when it cannot go on.
 *
 * The allocation-failure cases need CONFIG_FAILSLAB and a failslab set up
 * for them (ignore-gfp-wait N, task-filter Y, probability 100, times -1):
 * the guest's loader script does that.  They set current->fail_nth, so the
 * Nth slab allocation of one operation fails, and with current->make_it_fail
 * every allocation from the Nth on.  Without failslab they are skipped.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include <linux/vma_kunit.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Every case maps pages from here on; page n of a case is at P(n). */
#define VMT_BASE	0x10000000UL
#define P(n)		(VMT_BASE + (unsigned long)(n) * PAGE_SIZE)
/* The page offset of an anonymous mapping made at P(n). */
#define PG(n)		((VMT_BASE >> PAGE_SHIFT) + (n))
/* A flag that vma_modify_flags() changes without touching page tables. */
#define VMT_FLAG	VM_DONTDUMP

/* The state of one case. */
struct vmt {
	struct kunit *test;
	struct mm_struct *mm;
	struct file *file;		/* vmt_file(), put at the end */
	struct file *file2;
	unsigned long special;		/* vm_flags the file's mmap adds */
	/* ->mmap gives VMAs from this page offset on a ->close */
	pgoff_t close_from;
	int opens, closes;		/* vm_ops calls on the file's VMAs */
	void *uffd_ctx[2];		/* stand-ins for userfaultfd contexts */
};

/* One expected VMA: pages [start, end) of the case, at page offset pgoff. */
struct vmt_want {
	unsigned long start, end;
	pgoff_t pgoff;
};

static struct vmt *vmt(struct kunit *test)
{
	return test->priv;
}

/* ---- the address space ------------------------------------------------- */

/*
 * The cases always say where a mapping goes: an mm from mm_alloc() has no
 * mmap layout (arch_pick_mmap_layout() is for exec), so this is its
 * get_unmapped_area().
 */
static unsigned long vmt_get_unmapped_area(struct file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags)
{
	if (!addr || offset_in_page(addr))
		return -ENOMEM;
	return addr;
}

static int vmt_init(struct kunit *test)
{
	struct vmt *t;

	/* KUnit runs each case in a kthread of its own. */
	if (!(current->flags & PF_KTHREAD) || current->mm)
		return -EINVAL;
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->test = test;
	t->mm = mm_alloc();
	if (!t->mm)
		return -ENOMEM;
	t->mm->get_unmapped_area = vmt_get_unmapped_area;
	t->mm->mmap_base = VMT_BASE;
	t->mm->task_size = TASK_SIZE;
	kthread_use_mm(t->mm);
	test->priv = t;
	return 0;
}

static void vmt_exit(struct kunit *test)
{
	struct vmt *t = vmt(test);

	if (!t || !t->mm)
		return;
	/*
	 * A case that died in its kthread had the mm adopted there, and its
	 * exit_mm() dropped the mm already.
	 */
	if (current->mm == t->mm) {
		kthread_unuse_mm(t->mm);
		mmput(t->mm);
	} else {
		kunit_err(test, "case ended outside its kthread\n");
	}
	if (t->file)
		fput(t->file);
	if (t->file2)
		fput(t->file2);
	kfree(t->uffd_ctx[0]);
	kfree(t->uffd_ctx[1]);
}

/* Map @n anonymous pages at page @pg, private, unaccounted, read-write. */
static bool vmt_map_flags(struct kunit *test, struct file *file,
			  unsigned long pg, unsigned long n, unsigned long prot,
			  unsigned long flags, pgoff_t pgoff)
{
	unsigned long addr;

	addr = vm_mmap(file, P(pg), n << PAGE_SHIFT, prot,
		       flags | MAP_FIXED_NOREPLACE, pgoff << PAGE_SHIFT);
	KUNIT_EXPECT_EQ_MSG(test, addr, P(pg), "mmap of pages %lu-%lu", pg,
			    pg + n);
	return addr == P(pg);
}

static bool vmt_anon(struct kunit *test, unsigned long pg, unsigned long n)
{
	struct vm_area_struct *vma;
	bool charged = false;

	if (!vmt_map_flags(test, NULL, pg, n, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, 0))
		return false;
	/*
	 * The cases that grow or copy VMAs behind mmap()'s back do not
	 * charge Committed_AS: their VMAs must not be charged either.
	 */
	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, P(pg));
	if (vma)
		charged = vma->vm_flags & VM_ACCOUNT;
	mmap_read_unlock(current->mm);
	if (charged)
		KUNIT_FAIL(test, "MAP_NORESERVE is charged: vm.overcommit_memory is 2");
	return !charged;
}

/* The same, but charged to Committed_AS, as brk() and most mmap()s are. */
static bool vmt_anon_acct(struct kunit *test, unsigned long pg,
			  unsigned long n)
{
	return vmt_map_flags(test, NULL, pg, n, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
}

static bool vmt_file_map(struct kunit *test, struct file *file,
			 unsigned long pg, unsigned long n, pgoff_t pgoff)
{
	return vmt_map_flags(test, file, pg, n, PROT_READ, MAP_PRIVATE, pgoff);
}

static bool vmt_unmap(struct kunit *test, unsigned long pg, unsigned long n)
{
	int err = vm_munmap(P(pg), n << PAGE_SHIFT);

	KUNIT_EXPECT_EQ_MSG(test, err, 0, "munmap of pages %lu-%lu", pg, pg + n);
	return !err;
}

/* Write a pattern into pages [pg, pg + n): faults them, anon_vma and all. */
static bool vmt_touch(struct kunit *test, unsigned long pg, unsigned long n)
{
	unsigned long i, val;

	for (i = pg; i < pg + n; i++) {
		val = P(i) ^ 0x5a5a;
		if (copy_to_user((void __user *)P(i), &val, sizeof(val))) {
			KUNIT_FAIL(test, "cannot write page %lu", i);
			return false;
		}
	}
	return true;
}

/* Read back what vmt_touch() wrote at @from, now at @to. */
static bool vmt_check_data(struct kunit *test, unsigned long from,
			   unsigned long to, unsigned long n)
{
	unsigned long i, val;

	for (i = 0; i < n; i++) {
		if (copy_from_user(&val, (void __user *)P(to + i), sizeof(val))) {
			KUNIT_FAIL(test, "cannot read page %lu", to + i);
			return false;
		}
		if (val != (P(from + i) ^ 0x5a5a)) {
			KUNIT_FAIL(test, "page %lu holds %lx, not page %lu's data",
				   to + i, val, from + i);
			return false;
		}
	}
	return true;
}

/* The VMA that covers page @pg; the mmap lock is held. */
static struct vm_area_struct *vmt_vma(struct kunit *test, unsigned long pg)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, P(pg));

	KUNIT_EXPECT_NOT_NULL_MSG(test, vma, "no VMA at page %lu", pg);
	return vma;
}

/* The anon_vma of the VMA at page @pg, or an error pointer if none. */
static struct anon_vma *vmt_anon_vma(struct kunit *test, unsigned long pg)
{
	struct vm_area_struct *vma;
	struct anon_vma *av = ERR_PTR(-ENOENT);

	mmap_read_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma)
		av = vma->anon_vma;
	mmap_read_unlock(current->mm);
	return av;
}

static unsigned long vmt_flags(struct kunit *test, unsigned long pg)
{
	struct vm_area_struct *vma;
	unsigned long flags = 0;

	mmap_read_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma)
		flags = vma->vm_flags;
	mmap_read_unlock(current->mm);
	return flags;
}

static void vmt_dump(struct kunit *test, unsigned long from, unsigned long to)
{
	VMA_ITERATOR(vmi, current->mm, P(from));
	struct vm_area_struct *vma;

	for_each_vma_range(vmi, vma, P(to)) {
		kunit_info(test, "  VMA pages %ld-%ld pgoff %#lx flags %#lx anon_vma %p\n",
			   (long)(vma->vm_start - VMT_BASE) >> PAGE_SHIFT,
			   (long)(vma->vm_end - VMT_BASE) >> PAGE_SHIFT,
			   vma->vm_pgoff, vma->vm_flags, vma->anon_vma);
	}
}

/*
 * Check that the VMAs within pages [from, to) are exactly @want, then
 * validate the whole mm.  The mmap lock is not held.
 */
static bool vmt_expect_window(struct kunit *test, unsigned long from,
			      unsigned long to, const struct vmt_want *want,
			      int n)
{
	VMA_ITERATOR(vmi, current->mm, P(from));
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool ok = true;
	int i = 0;

	mmap_read_lock(mm);
	for_each_vma_range(vmi, vma, P(to)) {
		if (i < n && (vma->vm_start != P(want[i].start) ||
			      vma->vm_end != P(want[i].end) ||
			      vma->vm_pgoff != want[i].pgoff)) {
			KUNIT_FAIL(test,
				   "VMA %d: pages %ld-%ld pgoff %#lx, want %lu-%lu pgoff %#lx",
				   i, (long)(vma->vm_start - VMT_BASE) >> PAGE_SHIFT,
				   (long)(vma->vm_end - VMT_BASE) >> PAGE_SHIFT,
				   vma->vm_pgoff, want[i].start, want[i].end,
				   want[i].pgoff);
			ok = false;
		}
		i++;
	}
	if (i != n) {
		KUNIT_FAIL(test, "%d VMAs in pages %lu-%lu, want %d", i, from,
			   to, n);
		ok = false;
	}
	if (!ok)
		vmt_dump(test, from, to);
#ifdef CONFIG_DEBUG_VM_MAPLE_TREE
	validate_mm(mm);
#endif
	mmap_read_unlock(mm);
	return ok;
}

/*
 * Check the whole address space: map_count, and total_vm, which the cases
 * that grow, shrink or copy VMAs keep as their callers would.
 */
static bool vmt_expect_all(struct kunit *test, const struct vmt_want *want,
			   int n)
{
	VMA_ITERATOR(vmi, current->mm, 0);
	struct vm_area_struct *vma;
	unsigned long pages = 0;

	mmap_read_lock(current->mm);
	for_each_vma(vmi, vma)
		pages += vma_pages(vma);
	mmap_read_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, current->mm->total_vm, pages);
	KUNIT_EXPECT_EQ(test, current->mm->map_count, n);
	return vmt_expect_window(test, 0, ULONG_MAX >> PAGE_SHIFT >> 1, want,
				 n) && current->mm->map_count == n;
}

#define VMT_EXPECT(test, ...) ({					\
	const struct vmt_want __want[] = { __VA_ARGS__ };		\
	vmt_expect_all(test, __want, ARRAY_SIZE(__want));		\
})

#define VMT_EXPECT_WINDOW(test, from, to, ...) ({			\
	const struct vmt_want __want[] = { __VA_ARGS__ };		\
	vmt_expect_window(test, from, to, __want, ARRAY_SIZE(__want));	\
})

/* ---- changing VMAs as mprotect(), madvise() and mbind() do -------------- */

/*
 * The VMA that pages [pg, pg + n) start in, and the prev that vma_modify()
 * wants: the VMA before the range, or that VMA itself if the range starts
 * inside it.  The mmap lock is held for writing.
 */
static struct vm_area_struct *vmt_range(struct kunit *test, unsigned long pg,
					unsigned long n,
					struct vm_area_struct **prev)
{
	VMA_ITERATOR(vmi, current->mm, P(pg));
	struct vm_area_struct *vma = vmt_vma(test, pg);

	if (!vma)
		return NULL;
	KUNIT_EXPECT_LE(test, P(pg + n), vma->vm_end);
	if (P(pg + n) > vma->vm_end)
		return NULL;
	if (P(pg) > vma->vm_start)
		*prev = vma;
	else
		*prev = vma_prev(&vmi);
	return vma;
}

/*
 * Set @set and clear @clear in the flags of pages [pg, pg + n), as
 * madvise() does: vma_modify_flags(), then the new flags.  Returns the
 * VMA now covering the range, or an error pointer.
 */
static struct vm_area_struct *vmt_modify(struct kunit *test, unsigned long pg,
					 unsigned long n, unsigned long set,
					 unsigned long clear)
{
	struct vm_area_struct *vma, *prev;
	unsigned long flags;

	mmap_write_lock(current->mm);
	vma = vmt_range(test, pg, n, &prev);
	if (!vma) {
		vma = ERR_PTR(-EFAULT);
		goto out;
	}
	flags = (vma->vm_flags | set) & ~clear;
	vma = vma_modify_flags(prev, vma, P(pg), P(pg + n), flags);
	if (!IS_ERR(vma))
		vma->vm_flags = flags;
out:
	mmap_write_unlock(current->mm);
	return vma;
}

static bool vmt_modify_ok(struct kunit *test, unsigned long pg,
			  unsigned long n, unsigned long set,
			  unsigned long clear)
{
	struct vm_area_struct *vma = vmt_modify(test, pg, n, set, clear);

	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(vma), "modify pages %lu-%lu: %ld",
			       pg, pg + n, PTR_ERR(vma));
	return !IS_ERR(vma);
}

/* ---- a file whose VMAs count their vm_ops calls ------------------------ */

static void vmt_vm_open(struct vm_area_struct *vma)
{
	struct vmt *t = vma->vm_file->private_data;

	t->opens++;
}

static void vmt_vm_close(struct vm_area_struct *vma)
{
	struct vmt *t = vma->vm_file->private_data;

	t->closes++;
}

static const struct vm_operations_struct vmt_vm_ops = {
	.open = vmt_vm_open,
	.close = vmt_vm_close,
};

static const struct vm_operations_struct vmt_vm_ops_no_close = {
	.open = vmt_vm_open,
};

static int vmt_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmt *t = file->private_data;

	if (vma->vm_pgoff >= t->close_from)
		vma->vm_ops = &vmt_vm_ops;
	else
		vma->vm_ops = &vmt_vm_ops_no_close;
	vma->vm_flags |= t->special;
	return 0;
}

static const struct file_operations vmt_fops = {
	.owner = THIS_MODULE,
	.mmap = vmt_file_mmap,
};

static struct file *vmt_file(struct kunit *test)
{
	struct vmt *t = vmt(test);
	struct file *file;

	file = anon_inode_getfile("[vma_merge_test]", &vmt_fops, t, O_RDWR);
	/* Every VMA has ->close unless a case says otherwise. */
	KUNIT_EXPECT_FALSE(test, IS_ERR(file));
	if (IS_ERR(file))
		return NULL;
	if (!t->file)
		t->file = file;
	else
		t->file2 = file;
	return file;
}

/* ---- merges of a new range: mmap() ------------------------------------- */

static void vma_merge_new_prev(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) || !vmt_anon(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
}

static void vma_merge_new_next(struct kunit *test)
{
	if (!vmt_anon(test, 2, 2) || !vmt_anon(test, 0, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
}

/*
 *   0   2   4   6
 *   |AAA|   |CCC|     map B between: one VMA
 *   |AAA|BBB|CCC| ->  |AAAAAAAAAAA|
 */
static void vma_merge_new_both(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) || !vmt_anon(test, 4, 2) ||
	    !vmt_anon(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
}

static void vma_merge_new_flags_differ(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) ||
	    !vmt_map_flags(test, NULL, 2, 2, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, 0))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) });
}

static void vma_merge_new_prev_faulted(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 2))
		return;
	av = vmt_anon_vma(test, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(av));
	if (!vmt_anon(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 3), av);
	vmt_check_data(test, 0, 0, 2);
}

static void vma_merge_new_next_faulted(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_anon(test, 2, 2) || !vmt_touch(test, 2, 2))
		return;
	av = vmt_anon_vma(test, 2);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(av));
	if (!vmt_anon(test, 0, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 0), av);
	vmt_check_data(test, 2, 2, 2);
}

/* prev faulted, next not: the three become one, with prev's anon_vma. */
static void vma_merge_new_both_one_faulted(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 2) ||
	    !vmt_anon(test, 4, 2) || !vmt_anon(test, 2, 2))
		return;
	av = vmt_anon_vma(test, 0);
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 5), av);
	vmt_check_data(test, 0, 0, 2);
}

/*
 * prev and next faulted apart have two anon_vmas and cannot become one:
 * the new range goes to prev.
 */
static void vma_merge_new_two_anon_vmas(struct kunit *test)
{
	struct anon_vma *a, *c;

	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 2) ||
	    !vmt_anon(test, 4, 2) || !vmt_touch(test, 4, 2))
		return;
	a = vmt_anon_vma(test, 0);
	c = vmt_anon_vma(test, 4);
	KUNIT_EXPECT_PTR_NE(test, a, c);
	if (!vmt_anon(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) }, { 4, 6, PG(4) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 2), a);
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 4), c);
	vmt_check_data(test, 4, 4, 2);
}

/*
 * A written middle made like its unwritten neighbours: the three become
 * one, and it is the middle's anon_vma that the merged VMA has (patch
 * 0045; 6.1 kept the three apart).
 *   0   2   4   6
 *   |AAA|BBB|CCC|  (A and C have VMT_FLAG, B is written)
 */
static void vma_merge_anon_written_into_unwritten_both(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 0, 2, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 4, 2, VMT_FLAG, 0) || !vmt_touch(test, 2, 2))
		return;
	av = vmt_anon_vma(test, 2);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(av));
	KUNIT_EXPECT_NULL(test, vmt_anon_vma(test, 0));
	if (!vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 0), av);
	vmt_check_data(test, 2, 2, 2);
}

/* ---- file mappings and their vm_ops ------------------------------------ */

static void vma_merge_file_prev(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 2, 0) ||
	    !vmt_file_map(test, f, 2, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, 0 });
}

static void vma_merge_file_next(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 2, 2, 7) ||
	    !vmt_file_map(test, f, 0, 2, 5))
		return;
	VMT_EXPECT(test, { 0, 4, 5 });
}

static void vma_merge_file_pgoff_differs(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 2, 0) ||
	    !vmt_file_map(test, f, 2, 2, 3))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 4, 3 });
}

static void vma_merge_file_differs(struct kunit *test)
{
	struct file *f = vmt_file(test), *g = vmt_file(test);

	if (!f || !g || !vmt_file_map(test, f, 0, 2, 0) ||
	    !vmt_file_map(test, g, 2, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 4, 2 });
}

/*
 * A VM_SPECIAL mapping never merges: not when it is made, where the flag
 * comes from the driver's ->mmap, and not when it is changed, whether the
 * merge would remove a VMA or only move a boundary.  Its vm_ops have no
 * ->close, which would forbid some of these merges on its own.
 */
static void vmt_special(struct kunit *test, unsigned long flag)
{
	struct file *f = vmt_file(test);

	if (!f)
		return;
	vmt(test)->special = flag;
	vmt(test)->close_from = ULONG_MAX;
	if (!vmt_file_map(test, f, 0, 2, 0) || !vmt_file_map(test, f, 2, 4, 2))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 6, 2 });
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 2) & flag);
	/* Different, then the same again: still two. */
	if (!vmt_modify_ok(test, 2, 4, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 2, 4, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 6, 2 });
	/* Part of one like its neighbour: a split, not a boundary move. */
	if (!vmt_modify_ok(test, 4, 2, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 3, 1, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 3, 2 }, { 3, 4, 3 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 2);
}

static void vma_merge_special_io(struct kunit *test)
{
	vmt_special(test, VM_IO);
}

static void vma_merge_special_dontexpand(struct kunit *test)
{
	vmt_special(test, VM_DONTEXPAND);
}

static void vma_merge_special_pfnmap(struct kunit *test)
{
	vmt_special(test, VM_PFNMAP);
}

static void vma_merge_special_mixedmap(struct kunit *test)
{
	vmt_special(test, VM_MIXEDMAP);
}

/*
 * The new range would join A and C into one, removing C, whose vm_ops has
 * ->close: C stays, and the range goes to A, which needs no ->close.
 */
static void vma_merge_close_new_both(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 2, 0) ||
	    !vmt_file_map(test, f, 4, 2, 4) || !vmt_file_map(test, f, 2, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, 0 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 0);
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 0);
}

/*
 * Changing all of B to match A and C would remove B (and C): refused, B is
 * changed in place.
 *   0   2   4   6
 *   |AAA|BBB|CCC|  (B differs by VMT_FLAG)
 */
static void vma_merge_close_modify_whole(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 6, 0) ||
	    !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 4, 2 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 2);
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 4, 2 }, { 4, 6, 4 });
	KUNIT_EXPECT_FALSE(test, vmt_flags(test, 2) & VMT_FLAG);
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 2);
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 0);
}

/*
 * Only next has ->close: a change of all of B that would join A, B and C
 * removes B and C, and C may not go.  A takes B instead, which has no
 * ->close.  VM_NOHUGEPAGE keeps the VMAs apart while they are built.
 *   0   2   4   6
 *   |AAA|BBB|CCC|  ->  |AAAAAAA|CCC|
 */
static void vma_merge_close_next_only(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f)
		return;
	vmt(test)->close_from = 4;
	if (!vmt_file_map(test, f, 4, 2, 4) ||
	    !vmt_modify_ok(test, 4, 2, VM_NOHUGEPAGE, 0) ||
	    !vmt_file_map(test, f, 0, 4, 0) ||
	    !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 4, 2, 0, VM_NOHUGEPAGE))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 4, 2 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 1);
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 4, 0 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 0);
}

/* A partial change moves a boundary and removes nothing: allowed. */
static void vma_merge_close_modify_partial(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 6, 0) ||
	    !vmt_modify_ok(test, 2, 4, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 2, 6, 2 });
	if (!vmt_modify_ok(test, 2, 1, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 3, 0 }, { 3, 6, 3 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 1);
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 0);
}

/* ->open once per VMA a split makes, ->close once per VMA unmapped. */
static void vma_merge_close_once(struct kunit *test)
{
	struct file *f = vmt_file(test);

	if (!f || !vmt_file_map(test, f, 0, 6, 0) ||
	    !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 2);
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 0);
	if (!vmt_unmap(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 4, 6, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 1);
	/* Unmapping part of a VMA splits it: one ->open, one ->close. */
	if (!vmt_unmap(test, 5, 1))
		return;
	VMT_EXPECT(test, { 0, 2, 0 }, { 4, 5, 4 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 3);
	KUNIT_EXPECT_EQ(test, vmt(test)->closes, 2);
}

/* ---- merges of an existing range: mprotect(), madvise() ---------------- */

/*
 *   0   2       6        0       4   6
 *   |AAA|BBBBBBB|   ->   |AAAAAAA|BBB|
 */
static void vma_merge_modify_left_partial(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 4, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 6, PG(2) });
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) }, { 4, 6, PG(4) });
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 4) & VMT_FLAG);
	KUNIT_EXPECT_FALSE(test, vmt_flags(test, 3) & VMT_FLAG);
}

static void vma_merge_modify_left_whole(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 4, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 2, 4, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
}

/*
 *   0       4   6        0   2       6
 *   |AAAAAAA|BBB|   ->   |AAA|BBBBBBB|
 */
static void vma_merge_modify_right_partial(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 4, 2, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 6, PG(2) });
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 2) & VMT_FLAG);
}

static void vma_merge_modify_right_whole(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 4, VMT_FLAG, 0) ||
	    !vmt_modify_ok(test, 0, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 0) & VMT_FLAG);
}

/*
 *   0   2   4   6
 *   |AAA|BBB|CCC|  ->  |AAAAAAAAAAA|
 */
static void vma_merge_modify_both(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) }, { 4, 6, PG(4) });
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
}

/* Faulted: the splits share the anon_vma and the merge keeps it. */
static void vma_merge_modify_faulted(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 6) || !vmt_touch(test, 0, 6))
		return;
	av = vmt_anon_vma(test, 0);
	if (!vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 2), av);
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 4), av);
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 5), av);
	vmt_check_data(test, 0, 0, 6);
}

/*
 * Two VMAs faulted apart have two anon_vmas: never one VMA.  B differs by
 * VMT_FLAG when A is faulted, so that A does not take B's anon_vma.
 */
static void vma_merge_modify_anon_vma_differs(struct kunit *test)
{
	if (!vmt_anon(test, 2, 2) || !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0) ||
	    !vmt_touch(test, 2, 2) || !vmt_anon(test, 0, 2) ||
	    !vmt_touch(test, 0, 2))
		return;
	KUNIT_EXPECT_PTR_NE(test, vmt_anon_vma(test, 0), vmt_anon_vma(test, 2));
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) });
	vmt_check_data(test, 0, 0, 4);
}

static void vma_merge_modify_split_middle(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) }, { 4, 6, PG(4) });
	KUNIT_EXPECT_FALSE(test, vmt_flags(test, 1) & VMT_FLAG);
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 2) & VMT_FLAG);
	KUNIT_EXPECT_FALSE(test, vmt_flags(test, 4) & VMT_FLAG);
}

/* vma_modify_flags_whole(), for mlockall(): all of a VMA, merged. */
static void vma_merge_modify_whole_api(struct kunit *test)
{
	struct vm_area_struct *vma, *prev;
	unsigned long flags;

	if (!vmt_anon(test, 0, 6) || !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	mmap_write_lock(current->mm);
	vma = vmt_range(test, 2, 2, &prev);
	if (vma) {
		flags = vma->vm_flags & ~VMT_FLAG;
		vma = vma_modify_flags_whole(prev, vma, flags);
		KUNIT_EXPECT_FALSE(test, IS_ERR(vma));
		if (!IS_ERR(vma))
			vma->vm_flags = flags;
	}
	mmap_write_unlock(current->mm);
	VMT_EXPECT(test, { 0, 6, PG(0) });
}

/* ---- mempolicy, userfaultfd context, anon name ------------------------- */

#ifdef CONFIG_NUMA
/* Give pages [pg, pg + n) the policy @pol (a reference is taken). */
static bool vmt_set_policy(struct kunit *test, unsigned long pg,
			   unsigned long n, struct mempolicy *pol)
{
	struct vm_area_struct *vma, *prev;
	struct mempolicy *old;
	bool ok = false;

	mmap_write_lock(current->mm);
	vma = vmt_range(test, pg, n, &prev);
	if (!vma)
		goto out;
	vma = vma_modify_policy(prev, vma, P(pg), P(pg + n), pol);
	KUNIT_EXPECT_FALSE(test, IS_ERR(vma));
	if (IS_ERR(vma))
		goto out;
	/* As vma_replace_policy() does, but sharing @pol by reference. */
	old = vma->vm_policy;
	mpol_get(pol);
	vma->vm_policy = pol;
	mpol_put(old);
	ok = true;
out:
	mmap_write_unlock(current->mm);
	return ok;
}

static struct mempolicy *vmt_local_policy(struct kunit *test)
{
	nodemask_t none = NODE_MASK_NONE;
	struct mempolicy *pol = mpol_new(MPOL_LOCAL, 0, &none);

	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(pol));
	return IS_ERR_OR_NULL(pol) ? NULL : pol;
}

static void vma_merge_policy_differs(struct kunit *test)
{
	struct mempolicy *pol = vmt_local_policy(test);

	if (!pol)
		return;
	if (vmt_anon(test, 0, 2) && vmt_set_policy(test, 0, 2, pol) &&
	    vmt_anon(test, 2, 2))
		VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) });
	mpol_put(pol);
}

/* Two policies alike: the second range joins the first. */
static void vma_merge_policy_equal(struct kunit *test)
{
	struct mempolicy *a = vmt_local_policy(test);
	struct mempolicy *b = vmt_local_policy(test);

	if (a && b && vmt_anon(test, 0, 2) && vmt_set_policy(test, 0, 2, a) &&
	    vmt_anon(test, 2, 4)) {
		VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 6, PG(2) });
		if (vmt_set_policy(test, 2, 2, b))
			VMT_EXPECT(test, { 0, 4, PG(0) }, { 4, 6, PG(4) });
	}
	mpol_put(a);
	mpol_put(b);
}
#else
static void vma_merge_policy_differs(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_NUMA is off");
}

static void vma_merge_policy_equal(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_NUMA is off");
}
#endif

#ifdef CONFIG_USERFAULTFD
/*
 * Stand-ins for userfaultfd contexts: a VMA only compares the pointer, and
 * no case faults, unmaps with a userfaultfd or releases one.
 */
static bool vmt_set_uffd(struct kunit *test, unsigned long pg,
			 unsigned long n, int which)
{
	struct vmt *t = vmt(test);
	struct vm_area_struct *vma, *prev;
	struct vm_userfaultfd_ctx ctx = {};
	unsigned long flags;
	bool ok = false;

	if (which >= 0) {
		if (!t->uffd_ctx[which])
			t->uffd_ctx[which] = kzalloc(256, GFP_KERNEL);
		if (!t->uffd_ctx[which]) {
			KUNIT_FAIL(test, "no memory for a stand-in context");
			return false;
		}
		ctx.ctx = t->uffd_ctx[which];
	}
	mmap_write_lock(current->mm);
	vma = vmt_range(test, pg, n, &prev);
	if (!vma)
		goto out;
	flags = vma->vm_flags & ~__VM_UFFD_FLAGS;
	if (which >= 0)
		flags |= VM_UFFD_MISSING;
	vma = vma_modify_flags_uffd(prev, vma, P(pg), P(pg + n), flags, ctx,
				    false);
	KUNIT_EXPECT_FALSE(test, IS_ERR(vma));
	if (IS_ERR(vma))
		goto out;
	vma->vm_flags = flags;
	vma->vm_userfaultfd_ctx = ctx;
	ok = true;
out:
	mmap_write_unlock(current->mm);
	return ok;
}

/* Take the stand-in contexts off again before the mm goes. */
static void vmt_clear_uffd(struct kunit *test, unsigned long pg,
			   unsigned long n)
{
	VMA_ITERATOR(vmi, current->mm, P(pg));
	struct vm_area_struct *vma;

	mmap_write_lock(current->mm);
	for_each_vma_range(vmi, vma, P(pg + n)) {
		vma->vm_flags &= ~__VM_UFFD_FLAGS;
		vma->vm_userfaultfd_ctx = NULL_VM_UFFD_CTX;
	}
	mmap_write_unlock(current->mm);
}

static void vma_merge_uffd_differs(struct kunit *test)
{
	if (vmt_anon(test, 0, 6) && vmt_set_uffd(test, 0, 2, 0) &&
	    vmt_set_uffd(test, 2, 2, 1)) {
		VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) },
			   { 4, 6, PG(4) });
		/* No context against a context: no merge either. */
		if (vmt_set_uffd(test, 2, 2, -1))
			VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 6, PG(2) });
	}
	vmt_clear_uffd(test, 0, 6);
}

static void vma_merge_uffd_equal(struct kunit *test)
{
	if (vmt_anon(test, 0, 6) && vmt_set_uffd(test, 0, 2, 0) &&
	    vmt_set_uffd(test, 4, 2, 0)) {
		VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) },
			   { 4, 6, PG(4) });
		if (vmt_set_uffd(test, 2, 2, 0))
			VMT_EXPECT(test, { 0, 6, PG(0) });
	}
	vmt_clear_uffd(test, 0, 6);
}
#else
static void vma_merge_uffd_differs(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_USERFAULTFD is off");
}

static void vma_merge_uffd_equal(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_USERFAULTFD is off");
}
#endif

#ifdef CONFIG_ANON_VMA_NAME
/* Name pages [pg, pg + n) as prctl(PR_SET_VMA_ANON_NAME) does. */
static bool vmt_set_name(struct kunit *test, unsigned long pg,
			 unsigned long n, const char *str)
{
	struct anon_vma_name *name = anon_vma_name_alloc(str), *old;
	struct vm_area_struct *vma, *prev;
	bool ok = false;

	if (!name) {
		KUNIT_FAIL(test, "no memory for an anon_vma_name");
		return false;
	}
	mmap_write_lock(current->mm);
	vma = vmt_range(test, pg, n, &prev);
	if (!vma)
		goto out;
	vma = vma_modify_flags_name(prev, vma, P(pg), P(pg + n), vma->vm_flags,
				    name);
	KUNIT_EXPECT_FALSE(test, IS_ERR(vma));
	if (IS_ERR(vma))
		goto out;
	old = vma->anon_name;
	if (!anon_vma_name_eq(old, name)) {
		anon_vma_name_get(name);
		vma->anon_name = name;
		anon_vma_name_put(old);
	}
	ok = true;
out:
	mmap_write_unlock(current->mm);
	anon_vma_name_put(name);
	return ok;
}

static void vma_merge_anon_name_differs(struct kunit *test)
{
	if (!vmt_anon(test, 0, 4) || !vmt_set_name(test, 0, 2, "a") ||
	    !vmt_set_name(test, 2, 2, "b"))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) });
	/* Nor does a new range without a name join a named VMA. */
	if (!vmt_anon(test, 4, 2))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) }, { 4, 6, PG(4) });
}

/* Names are compared by their text, not by the object. */
static void vma_merge_anon_name_equal(struct kunit *test)
{
	if (!vmt_anon(test, 0, 6) || !vmt_set_name(test, 0, 2, "heap") ||
	    !vmt_set_name(test, 4, 2, "heap"))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) }, { 4, 6, PG(4) });
	if (!vmt_set_name(test, 2, 2, "heap"))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
}
#else
static void vma_merge_anon_name_differs(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_ANON_VMA_NAME is off");
}

static void vma_merge_anon_name_equal(struct kunit *test)
{
	kunit_mark_skipped(test, "CONFIG_ANON_VMA_NAME is off");
}
#endif

/* ---- VM_SOFTDIRTY ------------------------------------------------------ */

static void vmt_clear_softdirty(struct kunit *test, unsigned long pg)
{
	struct vm_area_struct *vma;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma)
		vma->vm_flags &= ~VM_SOFTDIRTY;
	mmap_write_unlock(current->mm);
}

/*
 * A new range, whose flags do not have VM_SOFTDIRTY yet, merges with a
 * soft-dirty VMA; a VMA whose bit was cleared merges too, and is soft-dirty
 * again.
 */
static void vma_merge_softdirty_new(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_MEM_SOFT_DIRTY)) {
		kunit_mark_skipped(test, "CONFIG_MEM_SOFT_DIRTY is off");
		return;
	}
	if (!vmt_anon(test, 0, 2))
		return;
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 0) & VM_SOFTDIRTY);
	if (!vmt_anon(test, 2, 2))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
	vmt_clear_softdirty(test, 0);
	if (!vmt_anon(test, 4, 2))
		return;
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 0) & VM_SOFTDIRTY);
}

static void vma_merge_softdirty_modify(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_MEM_SOFT_DIRTY)) {
		kunit_mark_skipped(test, "CONFIG_MEM_SOFT_DIRTY is off");
		return;
	}
	if (!vmt_anon(test, 0, 4) || !vmt_modify_ok(test, 2, 2, VMT_FLAG, 0))
		return;
	vmt_clear_softdirty(test, 0);
	KUNIT_EXPECT_FALSE(test, vmt_flags(test, 0) & VM_SOFTDIRTY);
	KUNIT_EXPECT_TRUE(test, vmt_flags(test, 2) & VM_SOFTDIRTY);
	if (!vmt_modify_ok(test, 2, 2, 0, VMT_FLAG))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
}

/* ---- brk() ------------------------------------------------------------- */

static bool vmt_brk(struct kunit *test, unsigned long pg, unsigned long n,
		    unsigned long flags)
{
	int err = vm_brk_flags(P(pg), n << PAGE_SHIFT, flags);

	KUNIT_EXPECT_EQ_MSG(test, err, 0, "brk of pages %lu-%lu", pg, pg + n);
	return !err;
}

static void vma_merge_brk_expand(struct kunit *test)
{
	struct anon_vma *av;

	if (!vmt_brk(test, 0, 2, 0) || !vmt_touch(test, 0, 2))
		return;
	av = vmt_anon_vma(test, 0);
	/* The new range's flags lack the VM_SOFTDIRTY that prev has. */
	if (!vmt_brk(test, 2, 2, 0))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 3), av);
	if (IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		KUNIT_EXPECT_TRUE(test, vmt_flags(test, 0) & VM_SOFTDIRTY);
	vmt_check_data(test, 0, 0, 2);
}

static void vma_merge_brk_flags_differ(struct kunit *test)
{
	if (!vmt_brk(test, 0, 2, 0) || !vmt_brk(test, 2, 2, VM_EXEC))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) });
}

/* brk only ever expands the VMA before it, never the one after. */
static void vma_merge_brk_expand_only(struct kunit *test)
{
	if (!vmt_anon_acct(test, 4, 2) || !vmt_brk(test, 0, 2, 0) ||
	    !vmt_brk(test, 2, 2, 0))
		return;
	VMT_EXPECT(test, { 0, 4, PG(0) }, { 4, 6, PG(4) });
}

/* ---- copy_vma(), vma_merge_extend(), vma_expand(), vma_shrink() -------- */

/* As mremap() would charge the pages a copy or an extension adds. */
static void vmt_charge(struct mm_struct *mm, unsigned long flags, long pages)
{
	mm->total_vm += pages;
	if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE)
		mm->data_vm += pages;
}

/*
 * Copy the VMA at page @pg to page @to at page offset @pgoff, as an mremap()
 * move does before it moves the page tables.  Returns the new VMA.
 */
static struct vm_area_struct *vmt_copy(struct kunit *test, unsigned long pg,
				       unsigned long to, pgoff_t pgoff)
{
	struct vm_area_struct *vma, *new = ERR_PTR(-EFAULT);
	bool need_rmap_locks;
	unsigned long len;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma) {
		len = vma->vm_end - vma->vm_start;
		new = copy_vma(&vma, P(to), len, pgoff, &need_rmap_locks,
			       false);
		if (new)
			vmt_charge(current->mm, new->vm_flags,
				   len >> PAGE_SHIFT);
		else
			new = ERR_PTR(-ENOMEM);
	}
	mmap_write_unlock(current->mm);
	return new;
}

/* The copy is a new VMA with the source's pgoff and anon_vma. */
static void vma_merge_copy_vma_new(struct kunit *test)
{
	struct vm_area_struct *new;
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 2))
		return;
	av = vmt_anon_vma(test, 0);
	new = vmt_copy(test, 0, 10, PG(0));
	KUNIT_EXPECT_FALSE(test, IS_ERR(new));
	if (IS_ERR(new))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 10, 12, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 10), av);
	vmt_check_data(test, 0, 0, 2);
}

/*
 * Copy the two halves of a faulted VMA next to each other, in either
 * order: the second copy merges with the first.
 */
static void vmt_copy_halves(struct kunit *test, bool upper_first)
{
	struct vm_area_struct *new;
	struct anon_vma *av;
	int err;

	if (!vmt_anon(test, 0, 4) || !vmt_touch(test, 0, 4))
		return;
	av = vmt_anon_vma(test, 0);
	mmap_write_lock(current->mm);
	err = split_vma(current->mm, vmt_vma(test, 0), P(2), 0);
	mmap_write_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (err)
		return;
	if (upper_first) {
		new = vmt_copy(test, 2, 12, PG(2));
		if (!IS_ERR(new))
			new = vmt_copy(test, 0, 10, PG(0));
	} else {
		new = vmt_copy(test, 0, 10, PG(0));
		if (!IS_ERR(new))
			new = vmt_copy(test, 2, 12, PG(2));
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(new));
	if (IS_ERR(new))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 2, 4, PG(2) }, { 10, 14, PG(0) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 13), av);
}

static void vma_merge_copy_vma_prev(struct kunit *test)
{
	vmt_copy_halves(test, false);
}

static void vma_merge_copy_vma_next(struct kunit *test)
{
	vmt_copy_halves(test, true);
}

/*
 * The copy of a written VMA in front of an unwritten one at the next page
 * offset merges into it, which is given the source's anon_vma, the one
 * the moved pages belong to (patch 0043; upstream 61f67c230a5e was the
 * use-after-free of a merge that did not).
 */
static void vma_merge_copy_vma_unwritten_next(struct kunit *test)
{
	struct vm_area_struct *new;
	struct anon_vma *av;

	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 2) ||
	    !vmt_anon(test, 12, 2))
		return;
	av = vmt_anon_vma(test, 0);
	KUNIT_EXPECT_NULL(test, vmt_anon_vma(test, 12));
	new = vmt_copy(test, 0, 10, PG(10));
	KUNIT_EXPECT_FALSE(test, IS_ERR(new));
	if (IS_ERR(new))
		return;
	VMT_EXPECT(test, { 0, 2, PG(0) }, { 10, 14, PG(10) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 12), av);
	vmt_check_data(test, 0, 0, 2);
}

/* The copy of a file VMA that merges calls no ->open; one that does not, one. */
static void vma_merge_copy_vma_file(struct kunit *test)
{
	struct file *f = vmt_file(test);
	struct vm_area_struct *new;

	if (!f || !vmt_file_map(test, f, 0, 2, 0) ||
	    !vmt_file_map(test, f, 10, 2, 8))
		return;
	new = vmt_copy(test, 0, 12, 10);
	KUNIT_EXPECT_FALSE(test, IS_ERR(new));
	VMT_EXPECT(test, { 0, 2, 0 }, { 10, 14, 8 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 0);
	new = vmt_copy(test, 0, 20, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR(new));
	VMT_EXPECT(test, { 0, 2, 0 }, { 10, 14, 8 }, { 20, 22, 0 });
	KUNIT_EXPECT_EQ(test, vmt(test)->opens, 1);
}

static struct vm_area_struct *vmt_extend(struct kunit *test, unsigned long pg,
					 unsigned long n)
{
	struct vm_area_struct *vma, *merged = NULL;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma) {
		merged = vma_merge_extend(vma, n << PAGE_SHIFT);
		if (merged)
			vmt_charge(current->mm, merged->vm_flags, n);
	}
	mmap_write_unlock(current->mm);
	return merged;
}

/* mremap()'s expansion in place, into a gap. */
static void vma_merge_extend_gap(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) || !vmt_touch(test, 0, 1))
		return;
	KUNIT_EXPECT_NOT_NULL(test, vmt_extend(test, 0, 2));
	VMT_EXPECT(test, { 0, 4, PG(0) });
	vmt_check_data(test, 0, 0, 1);
}

/* ... and up to a compatible next, which it absorbs. */
static void vma_merge_extend_next(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) || !vmt_anon(test, 4, 2) ||
	    !vmt_touch(test, 4, 2))
		return;
	KUNIT_EXPECT_NOT_NULL(test, vmt_extend(test, 0, 2));
	VMT_EXPECT(test, { 0, 6, PG(0) });
	vmt_check_data(test, 4, 4, 2);
}

/* ... but not past a next it cannot merge with. */
static void vma_merge_extend_next_differs(struct kunit *test)
{
	if (!vmt_anon(test, 0, 2) || !vmt_anon(test, 4, 2) ||
	    !vmt_modify_ok(test, 4, 2, VMT_FLAG, 0))
		return;
	KUNIT_EXPECT_NOT_NULL(test, vmt_extend(test, 0, 2));
	VMT_EXPECT(test, { 0, 4, PG(0) }, { 4, 6, PG(4) });
}

static void vma_merge_expand_over_next(struct kunit *test)
{
	struct vm_area_struct *vma, *next;
	int err = -EFAULT;

	if (!vmt_anon(test, 0, 2) || !vmt_anon(test, 4, 2) ||
	    !vmt_touch(test, 4, 2))
		return;
	mmap_write_lock(current->mm);
	vma = vmt_vma(test, 0);
	next = vmt_vma(test, 4);
	if (vma && next) {
		err = vma_expand_for_kunit(vma, P(0), P(6), PG(0), next);
		if (!err)
			vmt_charge(current->mm, vma->vm_flags, 2);
	}
	mmap_write_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, err, 0);
	VMT_EXPECT(test, { 0, 6, PG(0) });
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(vmt_anon_vma(test, 0)));
	vmt_check_data(test, 4, 4, 2);
}

/* Expanding down moves the start and the page offset with it. */
static void vma_merge_expand_down(struct kunit *test)
{
	struct vm_area_struct *vma;
	int err = -EFAULT;

	if (!vmt_anon(test, 2, 2) || !vmt_touch(test, 2, 2))
		return;
	mmap_write_lock(current->mm);
	vma = vmt_vma(test, 2);
	if (vma) {
		err = vma_expand_for_kunit(vma, P(0), P(4), PG(0), NULL);
		if (!err)
			vmt_charge(current->mm, vma->vm_flags, 2);
	}
	mmap_write_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, err, 0);
	VMT_EXPECT(test, { 0, 4, PG(0) });
	vmt_check_data(test, 2, 2, 2);
}

static int vmt_shrink(struct kunit *test, unsigned long pg,
		      unsigned long start, unsigned long end)
{
	VMA_ITERATOR(vmi, current->mm, P(pg));
	struct vm_area_struct *vma;
	int err = -EFAULT;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, pg);
	if (vma) {
		long pages = vma_pages(vma) - (end - start);

		err = vma_shrink(&vmi, vma, P(start), P(end),
				 vma->vm_pgoff + start - pg);
		if (!err)
			vmt_charge(current->mm, vma->vm_flags, -pages);
	}
	mmap_write_unlock(current->mm);
	return err;
}

static void vma_merge_shrink_end(struct kunit *test)
{
	if (!vmt_anon(test, 0, 4))
		return;
	KUNIT_EXPECT_EQ(test, vmt_shrink(test, 0, 0, 2), 0);
	VMT_EXPECT(test, { 0, 2, PG(0) });
}

static void vma_merge_shrink_start(struct kunit *test)
{
	if (!vmt_anon(test, 0, 4))
		return;
	KUNIT_EXPECT_EQ(test, vmt_shrink(test, 0, 2, 4), 0);
	VMT_EXPECT(test, { 2, 4, PG(2) });
}

/* The original VMA keeps the part above the split or, new_below, below. */
static void vmt_split(struct kunit *test, int new_below)
{
	struct vm_area_struct *vma;
	struct anon_vma *av;
	int err = -EFAULT;

	if (!vmt_anon(test, 0, 4) || !vmt_touch(test, 0, 4))
		return;
	av = vmt_anon_vma(test, 0);
	mmap_write_lock(current->mm);
	vma = vmt_vma(test, 0);
	if (vma)
		err = split_vma(current->mm, vma, P(1), new_below);
	if (!err)
		KUNIT_EXPECT_PTR_EQ(test, vma, vma_lookup(current->mm,
							  P(new_below ? 1 : 0)));
	mmap_write_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, err, 0);
	VMT_EXPECT(test, { 0, 1, PG(0) }, { 1, 4, PG(1) });
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 0), av);
	KUNIT_EXPECT_PTR_EQ(test, vmt_anon_vma(test, 1), av);
	vmt_check_data(test, 0, 0, 4);
}

static void vma_merge_split_above(struct kunit *test)
{
	vmt_split(test, 0);
}

static void vma_merge_split_below(struct kunit *test)
{
	vmt_split(test, 1);
}

/* ---- allocation failure ------------------------------------------------ */

/*
 * An operation under allocation failure: @setup builds its starting state
 * in a window of pages at @base, where @op then runs with the Nth slab
 * allocation failing, for N = 1, 2, ... until @op no longer reaches the
 * fault, each round in a window of its own.  With @from_nth, every
 * allocation from the Nth on fails, which defeats the retries that make one
 * failure harmless (a maple tree store retries with GFP_KERNEL).
 *
 * @op either succeeds and leaves @after (or @gave_up: a merge that ran out
 * of memory and left the VMA unmerged, for the callers that cannot fail),
 * or fails with ENOMEM and leaves @before, or @alt where a second step
 * failed after a first one stayed (a range split once of the two splits it
 * needed, as upstream leaves it), with every page's flags and anon_vma as
 * they were.  After every round, each VMA of the window has an anon_vma if
 * and only if it has an anon_vma chain, and the pages [data, data + ndata)
 * that @setup wrote read back.  Layouts are relative to @base.
 */
struct vmt_nomem {
	bool (*setup)(struct kunit *test, unsigned long base);
	long (*op)(struct kunit *test, unsigned long base);
	const struct vmt_want *before, *after, *alt, *gave_up;
	int nbefore, nafter, nalt, ngave_up;
	unsigned long data, ndata;
	long charge;		/* pages @op charges to Committed_AS */
	bool must_fail;		/* some round must report ENOMEM */
	bool no_alloc;		/* @op allocates nothing: no fault is reached */
};

#define VMT_WINDOW	16
#define VMT_NOMEM_MAX	40

static bool vmt_window(struct kunit *test, unsigned long base,
		       const struct vmt_want *w, int n)
{
	struct vmt_want shifted[8];
	int i;

	if (WARN_ON(n > ARRAY_SIZE(shifted)))
		return false;
	for (i = 0; i < n; i++) {
		shifted[i].start = w[i].start + base;
		shifted[i].end = w[i].end + base;
		shifted[i].pgoff = w[i].pgoff + base;
	}
	return vmt_expect_window(test, base, base + VMT_WINDOW, shifted, n);
}

/* Does the window hold exactly @w?  Says nothing if not. */
static bool vmt_window_is(unsigned long base, const struct vmt_want *w,
			  int n)
{
	VMA_ITERATOR(vmi, current->mm, P(base));
	struct vm_area_struct *vma;
	int i = 0;

	if (!w)
		return false;
	mmap_read_lock(current->mm);
	for_each_vma_range(vmi, vma, P(base + VMT_WINDOW)) {
		if (i >= n || vma->vm_start != P(w[i].start + base) ||
		    vma->vm_end != P(w[i].end + base) ||
		    vma->vm_pgoff != w[i].pgoff + base)
			break;
		i++;
	}
	mmap_read_unlock(current->mm);
	return i == n && !vma;
}

/* What a failed call must leave as it was, page by page. */
struct vmt_pages {
	unsigned long flags[VMT_WINDOW];
	struct anon_vma *anon_vma[VMT_WINDOW];
};

static void vmt_window_pages(struct kunit *test, unsigned long base,
			     struct vmt_pages *pages)
{
	struct vm_area_struct *vma;
	int i;

	mmap_read_lock(current->mm);
	for (i = 0; i < VMT_WINDOW; i++) {
		vma = vma_lookup(current->mm, P(base + i));
		pages->flags[i] = vma ? vma->vm_flags : 0;
		pages->anon_vma[i] = vma ? vma->anon_vma : NULL;
		if (vma && !!vma->anon_vma == list_empty(&vma->anon_vma_chain))
			KUNIT_FAIL(test, "page %lu: anon_vma %p, but its chain is %sempty",
				   base + i, vma->anon_vma,
				   list_empty(&vma->anon_vma_chain) ? "" : "not ");
	}
	mmap_read_unlock(current->mm);
}

struct vmt_nomem_result {
	int injected;		/* rounds whose fault was reached */
	int nomem;		/* rounds that reported ENOMEM */
	int gave_up;		/* rounds that succeeded without the merge */
};

/* Check a round's outcome; returns false if it was wrong. */
static bool vmt_nomem_check(struct kunit *test, const struct vmt_nomem *c,
			    unsigned long base, long ret, int map_count,
			    s64 committed, const struct vmt_pages *before,
			    struct vmt_nomem_result *r)
{
	struct vmt_pages after;
	bool ok = true;
	int n;

	vmt_window_pages(test, base, &after);
	if (c->ndata)
		ok &= vmt_check_data(test, base + c->data, base + c->data,
				     c->ndata);
	if (!ret) {
		if (vmt_window_is(base, c->gave_up, c->ngave_up))
			r->gave_up++;
		else
			ok &= vmt_window(test, base, c->after, c->nafter);
		if (c->charge)
			ok &= vm_memory_committed() ==
			      committed + c->charge;
		return ok;
	}
	r->nomem++;
	ok &= ret == -ENOMEM;
	n = c->nbefore;
	if (vmt_window_is(base, c->alt, c->nalt))
		n = c->nalt;
	else
		ok &= vmt_window(test, base, c->before, c->nbefore);
	ok &= current->mm->map_count == map_count + n - c->nbefore;
	ok &= !memcmp(after.flags, before->flags, sizeof(after.flags));
	ok &= !memcmp(after.anon_vma, before->anon_vma, sizeof(after.anon_vma));
	if (c->charge)
		ok &= vm_memory_committed() == committed;
	return ok;
}

static void vmt_nomem_run(struct kunit *test, const struct vmt_nomem *c,
			  bool from_nth, struct vmt_nomem_result *r)
{
	const char *how = from_nth ? " on" : "";
	struct vmt_pages before;
	int nth, map_count;
	s64 committed;
	long ret;

	memset(r, 0, sizeof(*r));
	for (nth = 1; nth <= VMT_NOMEM_MAX; nth++) {
		unsigned long base = (nth + (from_nth ? VMT_NOMEM_MAX : 0)) *
				     VMT_WINDOW * 2;
		bool reached = false;

		if (!c->setup(test, base))
			return;
		vmt_window_pages(test, base, &before);
		map_count = current->mm->map_count;
		committed = vm_memory_committed();
#ifdef CONFIG_FAULT_INJECTION
		current->make_it_fail = from_nth;
		current->fail_nth = nth;
#endif
		ret = c->op(test, base);
#ifdef CONFIG_FAULT_INJECTION
		reached = !current->fail_nth;
		current->fail_nth = 0;
		current->make_it_fail = 0;
#endif
		r->injected += reached;
		if (!vmt_nomem_check(test, c, base, ret, map_count, committed,
				     &before, r))
			KUNIT_FAIL(test,
				   "allocation %d%s: %ld, wrong state (Committed_AS %lld, was %lld)",
				   nth, how, ret, vm_memory_committed(),
				   committed);
		if (!reached)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, nth, VMT_NOMEM_MAX,
			    "the operation still allocates after %d%s", nth, how);
}

/*
 * Can a slab allocation of this task be made to fail?  tools/guest/kunit.sh
 * sets failslab up for it: only tasks with make-it-fail, and sleeping
 * allocations too (by default failslab leaves those alone).
 */
static bool vmt_failslab_ready(void)
{
#ifdef CONFIG_FAILSLAB
	void *p;

	current->make_it_fail = 1;
	p = kmalloc(8, GFP_KERNEL | __GFP_NOWARN);
	current->make_it_fail = 0;
	kfree(p);
	return !p;
#else
	return false;
#endif
}

/*
 * Both sweeps.  Each must reach a fault; an operation that can run out of
 * memory must report ENOMEM when every allocation from the Nth on fails,
 * and one that gives up instead must give up.
 */
static void vmt_nomem(struct kunit *test, const struct vmt_nomem *c)
{
	struct vmt_nomem_result one, from;

	if (!vmt_failslab_ready()) {
		kunit_mark_skipped(test, "failslab is not set up: load with tools/guest/kunit.sh");
		return;
	}
	vmt_nomem_run(test, c, false, &one);
	vmt_nomem_run(test, c, true, &from);
	kunit_info(test, "failing the Nth allocation: %d faults, %d ENOMEM, %d unmerged; failing all from the Nth: %d faults, %d ENOMEM, %d unmerged\n",
		   one.injected, one.nomem, one.gave_up, from.injected,
		   from.nomem, from.gave_up);
	if (c->no_alloc) {
		KUNIT_EXPECT_EQ_MSG(test, one.injected + from.injected, 0,
				    "an operation that should not allocate did");
		return;
	}
	KUNIT_EXPECT_GT_MSG(test, one.injected, 0, "no fault was reached");
	KUNIT_EXPECT_GT_MSG(test, from.injected, 0, "no fault was reached");
	if (c->must_fail)
		KUNIT_EXPECT_GT_MSG(test, from.nomem, 0,
				    "no allocation failure reached the caller");
	if (c->gave_up)
		KUNIT_EXPECT_GT_MSG(test, from.gave_up, 0,
				    "no merge gave up when out of memory");
}

/* The layouts, and then the fields of struct vmt_nomem that differ. */
#define VMT_NOMEM(name, before_, after_, alt_, gave_up_, ...)		\
static void name(struct kunit *test)					\
{									\
	static const struct vmt_want b[] = { __VMT_UNPAREN before_ };	\
	static const struct vmt_want a[] = { __VMT_UNPAREN after_ };	\
	static const struct vmt_want x[] = { __VMT_UNPAREN alt_ };	\
	static const struct vmt_want g[] = { __VMT_UNPAREN gave_up_ };	\
	const struct vmt_nomem c = {					\
		.before = b, .nbefore = ARRAY_SIZE(b),			\
		.after = a, .nafter = ARRAY_SIZE(a),			\
		.alt = ARRAY_SIZE(x) ? x : NULL, .nalt = ARRAY_SIZE(x),	\
		.gave_up = ARRAY_SIZE(g) ? g : NULL,			\
		.ngave_up = ARRAY_SIZE(g),				\
		__VA_ARGS__						\
	};								\
	vmt_nomem(test, &c);						\
}

#define __VMT_UNPAREN(...) __VA_ARGS__

/* Window: pages 0-6, one faulted VMA, charged. */
static bool vmt_setup_faulted(struct kunit *test, unsigned long base)
{
	return vmt_anon_acct(test, base, 6) && vmt_touch(test, base, 6);
}

/* Window: 0-2, 2-4 (VMT_FLAG), 4-6, faulted, one anon_vma, charged. */
static bool vmt_setup_three(struct kunit *test, unsigned long base)
{
	return vmt_setup_faulted(test, base) &&
	       vmt_modify_ok(test, base + 2, 2, VMT_FLAG, 0);
}

static long vmt_op_modify_middle(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma = vmt_modify(test, base + 2, 2, VMT_FLAG, 0);

	return IS_ERR(vma) ? PTR_ERR(vma) : 0;
}

static long vmt_op_modify_back(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma = vmt_modify(test, base + 2, 2, 0, VMT_FLAG);

	return IS_ERR(vma) ? PTR_ERR(vma) : 0;
}

static long vmt_op_modify_left(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma = vmt_modify(test, base + 2, 1, 0, VMT_FLAG);

	return IS_ERR(vma) ? PTR_ERR(vma) : 0;
}

static long vmt_op_split(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma;
	long err = -EFAULT;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, base);
	if (vma)
		err = split_vma(current->mm, vma, P(base + 3), 0);
	mmap_write_unlock(current->mm);
	return err;
}

/* Window: 0-2 faulted, 4-6 unfaulted, both charged: a hole between. */
static bool vmt_setup_hole(struct kunit *test, unsigned long base)
{
	return vmt_anon_acct(test, base, 2) && vmt_touch(test, base, 2) &&
	       vmt_anon_acct(test, base + 4, 2);
}

/* mmap() of the hole, which joins both neighbours into one VMA. */
static long vmt_op_mmap(struct kunit *test, unsigned long base)
{
	unsigned long addr;

	addr = vm_mmap(NULL, P(base + 2), 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, 0);
	return IS_ERR_VALUE(addr) ? (long)addr : 0;
}

/* Window: a faulted brk area at 0-2, and a charged VMA at 4-6. */
static bool vmt_setup_brk(struct kunit *test, unsigned long base)
{
	return vmt_brk(test, base, 2, 0) && vmt_touch(test, base, 2) &&
	       vmt_anon_acct(test, base + 4, 2);
}

static long vmt_op_brk(struct kunit *test, unsigned long base)
{
	return vm_brk_flags(P(base + 2), 2 * PAGE_SIZE, 0);
}

/* Window: 0-2 unfaulted, 4-6 faulted and compatible. */
static bool vmt_setup_extend(struct kunit *test, unsigned long base)
{
	return vmt_anon(test, base, 2) && vmt_anon(test, base + 4, 2) &&
	       vmt_touch(test, base + 4, 2);
}

static long vmt_op_extend(struct kunit *test, unsigned long base)
{
	return vmt_extend(test, base, 2) ? 0 : -ENOMEM;
}

static long vmt_op_expand(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma, *next;
	long err = -EFAULT;

	mmap_write_lock(current->mm);
	vma = vmt_vma(test, base);
	next = vmt_vma(test, base + 4);
	if (vma && next) {
		err = vma_expand_for_kunit(vma, P(base), P(base + 6), PG(base),
					   next);
		if (!err)
			vmt_charge(current->mm, vma->vm_flags, 2);
	}
	mmap_write_unlock(current->mm);
	return err;
}

/* Window: 0-2 faulted, 2-4 unfaulted with VMT_FLAG; the copy goes to 8. */
static bool vmt_setup_copy(struct kunit *test, unsigned long base)
{
	return vmt_anon(test, base, 2) && vmt_touch(test, base, 2) &&
	       vmt_anon(test, base + 2, 2) &&
	       vmt_modify_ok(test, base + 2, 2, VMT_FLAG, 0);
}

static long vmt_op_copy(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *new = vmt_copy(test, base, base + 8, PG(base));

	return IS_ERR(new) ? PTR_ERR(new) : 0;
}

static bool vmt_setup_unfaulted(struct kunit *test, unsigned long base)
{
	return vmt_anon(test, base, 4);
}

static long vmt_op_shrink(struct kunit *test, unsigned long base)
{
	return vmt_shrink(test, base, base, base + 2);
}

static long vmt_op_modify_whole(struct kunit *test, unsigned long base)
{
	struct vm_area_struct *vma, *prev;
	unsigned long flags;
	long err = -EFAULT;

	mmap_write_lock(current->mm);
	vma = vmt_range(test, base + 2, 2, &prev);
	if (vma) {
		flags = vma->vm_flags & ~VMT_FLAG;
		vma = vma_modify_flags_whole(prev, vma, flags);
		err = PTR_ERR_OR_ZERO(vma);
		if (!err)
			vma->vm_flags = flags;
	}
	mmap_write_unlock(current->mm);
	return err;
}

#define VMT_THREE	({ 0, 2, PG(0) }, { 2, 4, PG(2) }, { 4, 6, PG(4) })

/* mprotect() of the middle of a VMA: two splits. */
VMT_NOMEM(vma_merge_nomem_modify_split,
	  ({ 0, 6, PG(0) }), VMT_THREE,
	  ({ 0, 2, PG(0) }, { 2, 6, PG(2) }), (),
	  .setup = vmt_setup_faulted, .op = vmt_op_modify_middle,
	  .data = 0, .ndata = 6, .must_fail = true)

/* ... and back: three VMAs merged into one. */
VMT_NOMEM(vma_merge_nomem_modify_both,
	  VMT_THREE, ({ 0, 6, PG(0) }), (), (),
	  .setup = vmt_setup_three, .op = vmt_op_modify_back,
	  .data = 0, .ndata = 6, .must_fail = true)

/*
 * ... the same for mlockall(), which cannot fail: out of memory, the VMA
 * is changed where it is, unmerged.
 */
VMT_NOMEM(vma_merge_nomem_modify_whole,
	  VMT_THREE, ({ 0, 6, PG(0) }), (), VMT_THREE,
	  .setup = vmt_setup_three, .op = vmt_op_modify_whole,
	  .data = 0, .ndata = 6)

/*
 * ... or part of the middle merged with the left: the store moves one
 * boundary within a maple node, in place, and allocates nothing, so that
 * the merge succeeds even with every allocation failing.  (A property of
 * 6.1's maple tree: a change there may make this store allocate.)
 */
VMT_NOMEM(vma_merge_nomem_modify_left,
	  VMT_THREE, ({ 0, 3, PG(0) }, { 3, 4, PG(3) }, { 4, 6, PG(4) }),
	  (), (),
	  .setup = vmt_setup_three, .op = vmt_op_modify_left,
	  .data = 0, .ndata = 6, .no_alloc = true)

VMT_NOMEM(vma_merge_nomem_split_vma,
	  ({ 0, 6, PG(0) }), ({ 0, 3, PG(0) }, { 3, 6, PG(3) }), (), (),
	  .setup = vmt_setup_faulted, .op = vmt_op_split,
	  .data = 0, .ndata = 6, .must_fail = true)

/* mmap() of a hole, which joins both neighbours into one VMA. */
VMT_NOMEM(vma_merge_nomem_mmap,
	  ({ 0, 2, PG(0) }, { 4, 6, PG(4) }), ({ 0, 6, PG(0) }), (), (),
	  .setup = vmt_setup_hole, .op = vmt_op_mmap,
	  .data = 0, .ndata = 2, .charge = 2, .must_fail = true)

/* brk() up to a VMA it must not merge with. */
VMT_NOMEM(vma_merge_nomem_brk,
	  ({ 0, 2, PG(0) }, { 4, 6, PG(4) }),
	  ({ 0, 4, PG(0) }, { 4, 6, PG(4) }), (), (),
	  .setup = vmt_setup_brk, .op = vmt_op_brk,
	  .data = 0, .ndata = 2, .charge = 2, .must_fail = true)

VMT_NOMEM(vma_merge_nomem_merge_extend,
	  ({ 0, 2, PG(0) }, { 4, 6, PG(4) }), ({ 0, 6, PG(0) }), (), (),
	  .setup = vmt_setup_extend, .op = vmt_op_extend,
	  .data = 4, .ndata = 2, .must_fail = true)

VMT_NOMEM(vma_merge_nomem_expand,
	  ({ 0, 2, PG(0) }, { 4, 6, PG(4) }), ({ 0, 6, PG(0) }), (), (),
	  .setup = vmt_setup_extend, .op = vmt_op_expand,
	  .data = 4, .ndata = 2, .must_fail = true)

VMT_NOMEM(vma_merge_nomem_copy_vma,
	  ({ 0, 2, PG(0) }, { 2, 4, PG(2) }),
	  ({ 0, 2, PG(0) }, { 2, 4, PG(2) }, { 8, 10, PG(0) }), (), (),
	  .setup = vmt_setup_copy, .op = vmt_op_copy,
	  .data = 0, .ndata = 2, .must_fail = true)

VMT_NOMEM(vma_merge_nomem_shrink,
	  ({ 0, 4, PG(0) }), ({ 0, 2, PG(0) }), (), (),
	  .setup = vmt_setup_unfaulted, .op = vmt_op_shrink, .must_fail = true)

static struct kunit_case vma_merge_test_cases[] = {
	KUNIT_CASE(vma_merge_new_prev),
	KUNIT_CASE(vma_merge_new_next),
	KUNIT_CASE(vma_merge_new_both),
	KUNIT_CASE(vma_merge_new_flags_differ),
	KUNIT_CASE(vma_merge_new_prev_faulted),
	KUNIT_CASE(vma_merge_new_next_faulted),
	KUNIT_CASE(vma_merge_new_both_one_faulted),
	KUNIT_CASE(vma_merge_new_two_anon_vmas),
	KUNIT_CASE(vma_merge_anon_written_into_unwritten_both),
	KUNIT_CASE(vma_merge_file_prev),
	KUNIT_CASE(vma_merge_file_next),
	KUNIT_CASE(vma_merge_file_pgoff_differs),
	KUNIT_CASE(vma_merge_file_differs),
	KUNIT_CASE(vma_merge_special_io),
	KUNIT_CASE(vma_merge_special_dontexpand),
	KUNIT_CASE(vma_merge_special_pfnmap),
	KUNIT_CASE(vma_merge_special_mixedmap),
	KUNIT_CASE(vma_merge_close_new_both),
	KUNIT_CASE(vma_merge_close_modify_whole),
	KUNIT_CASE(vma_merge_close_next_only),
	KUNIT_CASE(vma_merge_close_modify_partial),
	KUNIT_CASE(vma_merge_close_once),
	KUNIT_CASE(vma_merge_modify_left_partial),
	KUNIT_CASE(vma_merge_modify_left_whole),
	KUNIT_CASE(vma_merge_modify_right_partial),
	KUNIT_CASE(vma_merge_modify_right_whole),
	KUNIT_CASE(vma_merge_modify_both),
	KUNIT_CASE(vma_merge_modify_faulted),
	KUNIT_CASE(vma_merge_modify_anon_vma_differs),
	KUNIT_CASE(vma_merge_modify_split_middle),
	KUNIT_CASE(vma_merge_modify_whole_api),
	KUNIT_CASE(vma_merge_policy_differs),
	KUNIT_CASE(vma_merge_policy_equal),
	KUNIT_CASE(vma_merge_uffd_differs),
	KUNIT_CASE(vma_merge_uffd_equal),
	KUNIT_CASE(vma_merge_anon_name_differs),
	KUNIT_CASE(vma_merge_anon_name_equal),
	KUNIT_CASE(vma_merge_softdirty_new),
	KUNIT_CASE(vma_merge_softdirty_modify),
	KUNIT_CASE(vma_merge_brk_expand),
	KUNIT_CASE(vma_merge_brk_flags_differ),
	KUNIT_CASE(vma_merge_brk_expand_only),
	KUNIT_CASE(vma_merge_copy_vma_new),
	KUNIT_CASE(vma_merge_copy_vma_prev),
	KUNIT_CASE(vma_merge_copy_vma_next),
	KUNIT_CASE(vma_merge_copy_vma_unwritten_next),
	KUNIT_CASE(vma_merge_copy_vma_file),
	KUNIT_CASE(vma_merge_extend_gap),
	KUNIT_CASE(vma_merge_extend_next),
	KUNIT_CASE(vma_merge_extend_next_differs),
	KUNIT_CASE(vma_merge_expand_over_next),
	KUNIT_CASE(vma_merge_expand_down),
	KUNIT_CASE(vma_merge_shrink_end),
	KUNIT_CASE(vma_merge_shrink_start),
	KUNIT_CASE(vma_merge_split_above),
	KUNIT_CASE(vma_merge_split_below),
	KUNIT_CASE(vma_merge_nomem_modify_split),
	KUNIT_CASE(vma_merge_nomem_modify_both),
	KUNIT_CASE(vma_merge_nomem_modify_whole),
	KUNIT_CASE(vma_merge_nomem_modify_left),
	KUNIT_CASE(vma_merge_nomem_split_vma),
	KUNIT_CASE(vma_merge_nomem_mmap),
	KUNIT_CASE(vma_merge_nomem_brk),
	KUNIT_CASE(vma_merge_nomem_merge_extend),
	KUNIT_CASE(vma_merge_nomem_expand),
	KUNIT_CASE(vma_merge_nomem_copy_vma),
	KUNIT_CASE(vma_merge_nomem_shrink),
	{}
};

static struct kunit_suite vma_merge_test_suite = {
	.name = "vma_merge",
	.init = vmt_init,
	.exit = vmt_exit,
	.test_cases = vma_merge_test_cases,
};

kunit_test_suite(vma_merge_test_suite);

MODULE_DESCRIPTION("KUnit tests of VMA merging in a real address space");
MODULE_LICENSE("GPL");
