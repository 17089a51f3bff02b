// SPDX-License-Identifier: GPL-2.0
/*
 * vma-bench: micro-benchmarks and fragmentation workloads for the code
 * that merges and splits VMAs.
 *
 * Each micro-benchmark repeats one operation that the merge code decides
 * (a brk that expands a VMA, an mmap next to a VMA, an mprotect that
 * splits a VMA and the one that merges it back, ...) for a given time or
 * number of operations, and prints
 *
 *	bench NAME ops=N secs=S ops_per_sec=R cycles_per_op=C
 *
 * cycles_per_op comes from the time stamp counter (0 where there is
 * none); under an emulator only ratios between kernels mean anything.
 * Before it is timed, each operation is run once with the VMA layout
 * checked after every step, so that a benchmark that says "merge" is
 * known to merge: a layout that differs is printed as
 *
 *	bench NAME error="..."
 *
 * and the exit status is 1.
 *
 * The fragmentation workloads replay a fixed pseudo-random sequence of
 * calls that a program of that kind makes (a GC heap, a JIT code
 * cache, malloc arenas, a process that forks and writes) and print
 *
 *	frag NAME vmas=N min=M slab_active=A slab_total=T slab_objsize=O
 *
 * vmas is the number of VMAs the workload's range ends up with and min
 * the number it would have if every merge the design allows were
 * taken: one per run of pages with the same protection and anon_vma.
 * Each workload keeps a model of its pages to compute it.  slab_* is
 * the vm_area_struct line of /proc/slabinfo at that point (-1 when the
 * kernel has none).
 *
 * usage: vma-bench [-d SECONDS | -n OPS] [-b NAME,...] [-m VMAS] [-p] [-l]
 *
 * -m maps VMAS one-page VMAs, apart from each other, before the
 * benchmarks, so that they run in a process with a deeper maple tree (a
 * process of a real program has hundreds of VMAs).
 *
 * With -p, each timed loop is bracketed by a sched_get_priority_max(-1)
 * call, which fails with EINVAL: the marker at which the kprof QEMU plugin
 * (tools/kprof, make bench-profile) opens and closes its counting windows.
 * No other program of the guest makes that call (a shell calls getppid()
 * when it starts, for one).
 *
 * The program allocates nothing with malloc: the C library could move
 * the program break, which the brk benchmarks measure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define RW	(PROT_READ | PROT_WRITE)
#define RX	(PROT_READ | PROT_EXEC)

static unsigned long page;
static double duration = 1.0;	/* seconds per benchmark */
static unsigned long fixed_ops;	/* or this many operations */
static const char *only;	/* comma-separated names to run */
static int profile;		/* mark each timed loop for kprof */
static unsigned long extra_vmas;	/* -m: VMAs mapped before the benchmarks */
static int failed;

static char outbuf[1 << 14];

static inline uint64_t cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return 0;
#endif
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long sys_brk(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

/* Map anonymous private memory exactly at @addr, never over a mapping. */
static int map_at(char *addr, unsigned long len, int prot, int flags)
{
	void *p = mmap(addr, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | flags,
		       -1, 0);

	return p == addr ? 0 : -1;
}

static void touch(char *addr, unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += page)
		((volatile char *)addr)[off] = 1;
}

/* Write code into [addr, addr + len), W^X: writable, written, read+exec. */
static int write_code(char *addr, unsigned long len)
{
	if (mprotect(addr, len, RW))
		return -1;
	touch(addr, len);
	return mprotect(addr, len, RX);
}

/*
 * A free stretch of @pages pages.  Callers use only its middle, at least
 * HOLE_GUARD pages from either end, so that nothing they map can be
 * adjacent to (and merge with) a mapping that is not theirs.
 */
#define HOLE_GUARD 16

static char *find_hole(unsigned long pages)
{
	char *p = mmap(NULL, pages * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pages * page);
	return p;
}

/*
 * The number of VMAs that intersect [lo, hi), from /proc/self/maps.
 * Reading the file maps nothing: the buffer is in .bss.
 */
static char maps[1 << 20];

static int count_vmas(char *lo, char *hi)
{
	unsigned long start, end;
	ssize_t n, len = 0;
	char *s, *e;
	int fd, count = 0;

	fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(maps) - 1 &&
	       (n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	close(fd);
	maps[len] = '\0';

	for (s = maps; *s; s = e) {
		e = strchr(s, '\n');
		e = e ? e + 1 : s + strlen(s);
		start = strtoul(s, &s, 16);
		if (*s != '-')
			continue;
		end = strtoul(s + 1, NULL, 16);
		if (start < (unsigned long)hi && end > (unsigned long)lo)
			count++;
	}
	return count;
}

struct slab_usage {
	long active, total, objsize;
};

/* The vm_area_struct line of /proc/slabinfo, or -1s. */
static struct slab_usage vma_slab(void)
{
	struct slab_usage u = { -1, -1, -1 };
	static char buf[1 << 16];
	ssize_t n, len = 0;
	char *s;
	int fd;

	fd = open("/proc/slabinfo", O_RDONLY);
	if (fd < 0)
		return u;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';

	for (s = buf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		if (strncmp(s, "vm_area_struct ", 15))
			continue;
		if (sscanf(s + 15, "%ld %ld %ld", &u.active, &u.total,
			   &u.objsize) != 3)
			u.active = u.total = u.objsize = -1;
		break;
	}
	return u;
}

/* A deterministic sequence, the same on every kernel. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed;
}

static unsigned long rng(unsigned long n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

static int selected(const char *name)
{
	size_t len = strlen(name);
	const char *s = only;

	if (!only)
		return 1;
	while (s && *s) {
		if (!strncmp(s, name, len) && (s[len] == ',' || !s[len]))
			return 1;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Micro-benchmarks                                                     */
/* ------------------------------------------------------------------ */

#define BENCH_HOLE	96	/* pages */
#define BENCH_AT	32	/* the anchor's page within the hole */
#define BENCH_PIN_GAP	32	/* pages from the pinned page to the hole */

struct bench_ctx {
	char *area;		/* the span of one page table, see bench_area() */
	char *hole;		/* BENCH_HOLE free pages in it */
	char *a;		/* the anchor, BENCH_AT pages into the hole */
	unsigned long brk0;	/* the program break before the benchmark */
	unsigned long top;	/* the break the brk benchmarks start from */
	int check;		/* check the layout after every step */
	const char *err;
};

struct bench {
	const char *name;
	const char *what;
	unsigned int ops_per_call;
	int heap;		/* works on the heap, needs no bench_area() */
	int (*setup)(struct bench_ctx *b);
	int (*op)(struct bench_ctx *b);
	void (*teardown)(struct bench_ctx *b);
};

static char errbuf[160];

static int fail(struct bench_ctx *b, const char *what)
{
	snprintf(errbuf, sizeof(errbuf), "%s: %s", what, strerror(errno));
	b->err = errbuf;
	return -1;
}

/* In check mode, the hole must now hold @want VMAs. */
static int expect(struct bench_ctx *b, int want, const char *when)
{
	int n;

	if (!b->check)
		return 0;
	n = count_vmas(b->hole, b->hole + BENCH_HOLE * page);
	if (n == want)
		return 0;
	snprintf(errbuf, sizeof(errbuf), "%d VMAs %s, expected %d",
		 n, when, want);
	b->err = errbuf;
	return -1;
}

/* The anchor VMA of @pages pages, faulted in as a program would have. */
static int setup_anchor(struct bench_ctx *b, unsigned long pages)
{
	if (map_at(b->a, pages * page, RW, 0))
		return fail(b, "mmap anchor");
	touch(b->a, pages * page);
	return 0;
}

static int setup_anchor4(struct bench_ctx *b)
{
	return setup_anchor(b, 4);
}

static int setup_anchor8(struct bench_ctx *b)
{
	return setup_anchor(b, 8);
}

/*
 * brk: the break starts one page above a page of the heap that is kept
 * (will-it-scale brk2 style), so that growing by a page expands the
 * heap VMA and shrinking trims it again.
 */
static int setup_brk_expand(struct bench_ctx *b)
{
	unsigned long base;

	b->brk0 = sys_brk(0);
	base = (b->brk0 + page - 1) & ~(page - 1);
	if (sys_brk(base + page) != base + page)
		return fail(b, "brk");
	touch((char *)base, page);
	b->top = base + page;
	return 0;
}

/*
 * brk, with the kept page made unmergeable (MADV_DONTFORK gives it a
 * flag the heap does not have): every grow creates a VMA and every
 * shrink removes it, as on an empty heap (will-it-scale brk1 style).
 */
static int setup_brk_new(struct bench_ctx *b)
{
	if (setup_brk_expand(b))
		return -1;
	if (madvise((char *)b->top - page, page, MADV_DONTFORK))
		return fail(b, "madvise");
	return 0;
}

static int brk_check(struct bench_ctx *b, int want, const char *when)
{
	int n;

	if (!b->check)
		return 0;
	n = count_vmas((char *)b->top - page, (char *)b->top + page);
	if (n == want)
		return 0;
	snprintf(errbuf, sizeof(errbuf), "%d VMAs %s, expected %d",
		 n, when, want);
	b->err = errbuf;
	return -1;
}

static int op_brk(struct bench_ctx *b, int vmas_grown)
{
	if (sys_brk(b->top + page) != b->top + page)
		return fail(b, "brk grow");
	if (brk_check(b, vmas_grown, "after growing the heap"))
		return -1;
	if (sys_brk(b->top) != b->top)
		return fail(b, "brk shrink");
	return brk_check(b, 1, "after shrinking the heap");
}

static int op_brk_expand(struct bench_ctx *b)
{
	return op_brk(b, 1);
}

static int op_brk_new(struct bench_ctx *b)
{
	return op_brk(b, 2);
}

static void teardown_brk(struct bench_ctx *b)
{
	sys_brk(b->brk0);
}

/* mmap a page right after the anchor (merges), then munmap it (splits). */
static int op_mmap_merge(struct bench_ctx *b)
{
	char *p = b->a + 4 * page;

	if (map_at(p, page, RW, 0))
		return fail(b, "mmap");
	if (expect(b, 1, "after mmap next to the anchor"))
		return -1;
	if (munmap(p, page))
		return fail(b, "munmap");
	return expect(b, 1, "after munmap");
}

/* mmap a page one page apart from the anchor (a new VMA) and unmap it. */
static int op_mmap_apart(struct bench_ctx *b)
{
	char *p = b->a + 5 * page;

	if (map_at(p, page, RW, 0))
		return fail(b, "mmap");
	if (expect(b, 2, "after mmap apart from the anchor"))
		return -1;
	if (munmap(p, page))
		return fail(b, "munmap");
	return expect(b, 1, "after munmap");
}

/*
 * Fill a one-page hole between two VMAs that share an anon_vma (they
 * were one VMA before the hole was punched): the three merge into one.
 */
static int setup_fill(struct bench_ctx *b)
{
	if (setup_anchor(b, 9))
		return -1;
	if (munmap(b->a + 4 * page, page))
		return fail(b, "munmap");
	return 0;
}

static int op_mmap_fill(struct bench_ctx *b)
{
	char *p = b->a + 4 * page;

	if (map_at(p, page, RW, 0))
		return fail(b, "mmap");
	if (expect(b, 1, "after mmap into the hole"))
		return -1;
	if (munmap(p, page))
		return fail(b, "munmap");
	return expect(b, 2, "after munmap");
}

/* mprotect one page of an 8-page VMA and back: split, then merge. */
static int mprotect_toggle(struct bench_ctx *b, unsigned long pg, int split)
{
	char *p = b->a + pg * page;

	if (mprotect(p, page, PROT_READ))
		return fail(b, "mprotect");
	if (expect(b, split, "after mprotect(PROT_READ)"))
		return -1;
	if (mprotect(p, page, RW))
		return fail(b, "mprotect");
	return expect(b, 1, "after mprotect back");
}

static int op_mprotect_mid(struct bench_ctx *b)
{
	return mprotect_toggle(b, 3, 3);
}

static int op_mprotect_end(struct bench_ctx *b)
{
	return mprotect_toggle(b, 7, 2);
}

/* Grow a 4-page VMA by a page in place with mremap, and shrink it back. */
static int op_mremap_expand(struct bench_ctx *b)
{
	if (mremap(b->a, 4 * page, 5 * page, 0) != b->a)
		return fail(b, "mremap expand");
	if (expect(b, 1, "after expanding in place"))
		return -1;
	if (mremap(b->a, 5 * page, 4 * page, 0) != b->a)
		return fail(b, "mremap shrink");
	return expect(b, 1, "after shrinking");
}

/*
 * Move a faulted page beside the VMA it was split from (they merge),
 * then away from it again (a split and a new VMA).
 */
#define MOVE_AWAY 24

static int setup_mremap_move(struct bench_ctx *b)
{
	if (setup_anchor(b, 5))
		return -1;
	if (mremap(b->a + 4 * page, page, page, MREMAP_MAYMOVE | MREMAP_FIXED,
		   b->a + MOVE_AWAY * page) != b->a + MOVE_AWAY * page)
		return fail(b, "mremap");
	return 0;
}

static int op_mremap_move(struct bench_ctx *b)
{
	char *beside = b->a + 4 * page, *away = b->a + MOVE_AWAY * page;

	if (mremap(away, page, page, MREMAP_MAYMOVE | MREMAP_FIXED,
		   beside) != beside)
		return fail(b, "mremap beside");
	if (expect(b, 1, "after moving beside the neighbour"))
		return -1;
	if (mremap(beside, page, page, MREMAP_MAYMOVE | MREMAP_FIXED,
		   away) != away)
		return fail(b, "mremap away");
	return expect(b, 2, "after moving away");
}

/* MADV_DONTFORK on the middle page and MADV_DOFORK back. */
static int op_madvise(struct bench_ctx *b)
{
	char *p = b->a + 3 * page;

	if (madvise(p, page, MADV_DONTFORK))
		return fail(b, "madvise(MADV_DONTFORK)");
	if (expect(b, 3, "after MADV_DONTFORK"))
		return -1;
	if (madvise(p, page, MADV_DOFORK))
		return fail(b, "madvise(MADV_DOFORK)");
	return expect(b, 1, "after MADV_DOFORK");
}

/* mlock the middle page and munlock it. */
static int op_mlock(struct bench_ctx *b)
{
	char *p = b->a + 3 * page;

	if (mlock(p, page))
		return fail(b, "mlock");
	if (expect(b, 3, "after mlock"))
		return -1;
	if (munlock(p, page))
		return fail(b, "munlock");
	return expect(b, 1, "after munlock");
}

/*
 * Map two 8-page VMAs that merge, write-fault all 16 pages, unmap.
 * One operation is one fault; the mmap and munmap are shared by 16.
 */
#define FAULT_PAGES 16

static int setup_none(struct bench_ctx *b)
{
	return 0;
}

static int op_fault(struct bench_ctx *b)
{
	char *p = b->a, *q = b->a + FAULT_PAGES / 2 * page;

	if (map_at(p, FAULT_PAGES / 2 * page, RW, 0) ||
	    map_at(q, FAULT_PAGES / 2 * page, RW, 0))
		return fail(b, "mmap");
	if (expect(b, 1, "after mapping the second half"))
		return -1;
	touch(p, FAULT_PAGES * page);
	if (munmap(p, FAULT_PAGES * page))
		return fail(b, "munmap");
	return expect(b, 0, "after munmap");
}

static const struct bench benches[] = {
	{ "brk-expand", "brk +1 page, -1 page; expands the heap VMA (brk2)",
	  1, 1, setup_brk_expand, op_brk_expand, teardown_brk },
	{ "brk-new", "brk +1 page, -1 page; a new VMA each time (brk1)",
	  1, 1, setup_brk_new, op_brk_new, teardown_brk },
	{ "mmap-merge", "mmap+munmap of a page next to a VMA (merges)",
	  1, 0, setup_anchor4, op_mmap_merge, NULL },
	{ "mmap-apart", "mmap+munmap of a page apart from a VMA",
	  1, 0, setup_anchor4, op_mmap_apart, NULL },
	{ "mmap-fill", "mmap+munmap of a page into a hole (3-way merge)",
	  1, 0, setup_fill, op_mmap_fill, NULL },
	{ "mprotect-mid", "mprotect the middle page and back (split in 3, merge)",
	  1, 0, setup_anchor8, op_mprotect_mid, NULL },
	{ "mprotect-end", "mprotect the last page and back (split in 2, merge)",
	  1, 0, setup_anchor8, op_mprotect_end, NULL },
	{ "mremap-expand", "mremap +1 page in place and back",
	  1, 0, setup_anchor4, op_mremap_expand, NULL },
	{ "mremap-move", "mremap a page beside its neighbour (merge) and away",
	  1, 0, setup_mremap_move, op_mremap_move, NULL },
	{ "madvise-fork", "MADV_DONTFORK the middle page and MADV_DOFORK",
	  1, 0, setup_anchor8, op_madvise, NULL },
	{ "mlock", "mlock the middle page and munlock",
	  1, 0, setup_anchor8, op_mlock, NULL },
	{ "fault-merged", "write faults on two just-merged VMAs (per fault)",
	  FAULT_PAGES, 0, setup_none, op_fault, NULL },
};

/*
 * The address range that one page table maps (2 MiB with 4 KiB pages),
 * aligned, free but for a read-only page at its start.  The benchmarks
 * work in it, BENCH_PIN_GAP pages past that page, so that their page
 * table entries all live in one page table, which the pinned page keeps
 * allocated whatever they unmap.  Otherwise how many page tables a
 * benchmark allocates and frees per operation would depend on where
 * address space randomisation put it, and differ from boot to boot.
 */
static char *bench_area(void)
{
	unsigned long span = page / sizeof(void *) * page;
	char *p, *a;

	p = mmap(NULL, 2 * span, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 2 * span);
	a = (char *)(((unsigned long)p + span - 1) & ~(span - 1));
	if (map_at(a, page, PROT_READ, 0))
		return NULL;
	(void)*(volatile char *)a;
	return a;
}

static void bench_error(const struct bench *bn, struct bench_ctx *b)
{
	printf("bench %s error=\"%s\"\n", bn->name, b->err);
	fflush(stdout);
	failed = 1;
}

static void run_bench(const struct bench *bn)
{
	struct bench_ctx b = { 0 };
	unsigned long calls = 0, i;
	uint64_t c0, c1;
	double t0, t1, ops;

	if (!bn->heap) {
		b.area = bench_area();
		if (!b.area) {
			b.err = "no free address range";
			bench_error(bn, &b);
			return;
		}
		b.hole = b.area + BENCH_PIN_GAP * page;
		b.a = b.hole + BENCH_AT * page;
	}
	if (bn->setup(&b))
		goto err;
	/* Once with the layout checked, then a few to warm up. */
	b.check = 1;
	if (bn->op(&b))
		goto err;
	b.check = 0;
	for (i = 0; i < 8; i++)
		if (bn->op(&b))
			goto err;

	if (profile)
		syscall(SYS_sched_get_priority_max, -1);
	t0 = now();
	c0 = cycles();
	for (;;) {
		for (i = 0; i < 16; i++)
			if (bn->op(&b))
				goto err;
		calls += 16;
		if (fixed_ops ? calls * bn->ops_per_call >= fixed_ops :
				now() - t0 >= duration)
			break;
	}
	c1 = cycles();
	t1 = now();
	if (profile)
		syscall(SYS_sched_get_priority_max, -1);
	if (bn->teardown)
		bn->teardown(&b);
	if (b.area)
		munmap(b.area, page / sizeof(void *) * page);

	ops = (double)calls * bn->ops_per_call;
	printf("bench %s ops=%.0f secs=%.6f ops_per_sec=%.1f cycles_per_op=%.1f\n",
	       bn->name, ops, t1 - t0, ops / (t1 - t0), (c1 - c0) / ops);
	fflush(stdout);
	return;
err:
	bench_error(bn, &b);
	if (bn->teardown)
		bn->teardown(&b);
	if (b.area)
		munmap(b.area, page / sizeof(void *) * page);
}

/* ------------------------------------------------------------------ */
/* Fragmentation workloads                                              */
/* ------------------------------------------------------------------ */

/*
 * The model of a workload's range: for each page its state (0 when
 * unmapped, otherwise the protection plus one) and its anon_vma lineage
 * (pages of different lineages belong to different anon_vmas, which
 * never merge).
 */
#define FRAG_MAX 4096

static unsigned char st[FRAG_MAX];
static unsigned int lin[FRAG_MAX];
static unsigned int lineages;

static void model_set(unsigned long from, unsigned long to, int prot)
{
	for (; from < to; from++)
		st[from] = prot + 1;
}

/* The fewest VMAs the range can have: the runs of equal pages. */
static int model_min(unsigned long pages)
{
	unsigned long i;
	int n = 0;

	for (i = 0; i < pages; i++)
		if (st[i] && (!i || st[i] != st[i - 1] || lin[i] != lin[i - 1]))
			n++;
	return n;
}

static void model_reset(void)
{
	memset(st, 0, sizeof(st));
	memset(lin, 0, sizeof(lin));
	lineages = 0;
}

static void frag_report(const char *name, char *lo, unsigned long pages,
			int min)
{
	struct slab_usage u = vma_slab();

	printf("frag %s vmas=%d min=%d slab_active=%ld slab_total=%ld slab_objsize=%ld\n",
	       name, count_vmas(lo, lo + pages * page), min,
	       u.active, u.total, u.objsize);
	fflush(stdout);
}

static int frag_error(const char *name, const char *what)
{
	printf("frag %s error=\"%s: %s\"\n", name, what, strerror(errno));
	fflush(stdout);
	failed = 1;
	return -1;
}

static char *frag_range(const char *name, unsigned long pages)
{
	char *hole = find_hole(pages + 2 * HOLE_GUARD);

	if (!hole) {
		frag_error(name, "find a free range");
		return NULL;
	}
	return hole + HOLE_GUARD * page;
}

/*
 * Start a fragmentation scenario on a fresh range of @pages read/write
 * pages, all faulted in: the model starts from the same layout.  Returns
 * the range, or NULL after reporting the error.
 */
static char *frag_map_rw(const char *name, unsigned long pages)
{
	char *r;

	model_reset();
	r = frag_range(name, pages);
	if (!r)
		return NULL;
	if (map_at(r, pages * page, RW, 0)) {
		frag_error(name, "mmap");
		return NULL;
	}
	touch(r, pages * page);
	model_set(0, pages, RW);
	return r;
}

/*
 * A garbage-collected heap: one mapping whose ranges a collector makes
 * read-only (while it scans them) or inaccessible (evacuated) and then
 * writable again, in random order (reported as gc-heap-scan); it ends
 * with every 64-page region starting with 4 read-only pages (card
 * tables), the rest writable, set one page at a time (gc-heap).
 */
#define GC_PAGES 1024
#define GC_STEPS 3000

static void frag_gc_heap(void)
{
	static const int prots[] = { RW, RW, RW, RW, RW,
				     PROT_READ, PROT_READ, PROT_READ,
				     PROT_NONE, PROT_NONE };
	static unsigned short order[GC_PAGES];
	unsigned long i, j, s, len;
	char *r;
	int prot;

	r = frag_map_rw("gc-heap", GC_PAGES);
	if (!r)
		return;

	rng_seed(0x9c0ffee);
	for (i = 0; i < GC_STEPS; i++) {
		s = rng(GC_PAGES);
		len = 1 + rng(16);
		if (s + len > GC_PAGES)
			len = GC_PAGES - s;
		prot = prots[rng(10)];
		if (mprotect(r + s * page, len * page, prot)) {
			frag_error("gc-heap", "mprotect");
			goto out;
		}
		model_set(s, s + len, prot);
	}
	frag_report("gc-heap-scan", r, GC_PAGES, model_min(GC_PAGES));

	/* The final layout, one page at a time in random order. */
	for (i = 0; i < GC_PAGES; i++)
		order[i] = i;
	for (i = GC_PAGES - 1; i > 0; i--) {
		j = rng(i + 1);
		s = order[i];
		order[i] = order[j];
		order[j] = s;
	}
	for (i = 0; i < GC_PAGES; i++) {
		s = order[i];
		prot = s % 64 < 4 ? PROT_READ : RW;
		if (mprotect(r + s * page, page, prot)) {
			frag_error("gc-heap", "mprotect");
			goto out;
		}
		model_set(s, s + 1, prot);
	}
	frag_report("gc-heap", r, GC_PAGES, model_min(GC_PAGES));
out:
	munmap(r, GC_PAGES * page);
}

/*
 * A JIT code cache: functions of 1 to 8 pages are mapped writable at the
 * first free place, written, and made read+exec; some are freed, and
 * some are patched (made writable, written, made read+exec again).
 *
 * A function's pages get their anon_vma when first written: the
 * anon_vma of the function mapped right after it if there is one, else
 * of the one right before it, else a new one (find_mergeable_anon_vma()).
 */
#define JIT_PAGES 1024
#define JIT_STEPS 1500
#define JIT_MAX_FUNCS 1024

static void frag_jit(void)
{
	static unsigned short fstart[JIT_MAX_FUNCS], flen[JIT_MAX_FUNCS];
	unsigned long i, s, e, len, k, nf = 0, run;
	unsigned int l;
	char *r;

	model_reset();
	r = frag_range("jit", JIT_PAGES);
	if (!r)
		return;
	rng_seed(0x717);
	for (i = 0; i < JIT_STEPS; i++) {
		unsigned long what = rng(10);

		if (nf && what >= 8) {
			/* Free a function. */
			k = rng(nf);
			if (munmap(r + fstart[k] * page, flen[k] * page)) {
				frag_error("jit", "munmap");
				goto out;
			}
			for (s = fstart[k]; s < fstart[k] + flen[k]; s++)
				st[s] = lin[s] = 0;
			fstart[k] = fstart[nf - 1];
			flen[k] = flen[nf - 1];
			nf--;
			continue;
		}
		if (nf && what == 7) {
			/* Patch a function. */
			k = rng(nf);
			if (write_code(r + fstart[k] * page, flen[k] * page)) {
				frag_error("jit", "mprotect");
				goto out;
			}
			continue;
		}
		/* Emit a function at the first free place it fits. */
		len = 1 + rng(8);
		for (s = 0, run = 0; s < JIT_PAGES && run < len; s++)
			run = st[s] ? 0 : run + 1;
		if (run < len || nf == JIT_MAX_FUNCS)
			continue;
		s -= len;
		e = s + len;
		if (map_at(r + s * page, len * page, RW, 0)) {
			frag_error("jit", "mmap");
			goto out;
		}
		touch(r + s * page, len * page);
		if (e < JIT_PAGES && st[e])
			l = lin[e];
		else if (s > 0 && st[s - 1])
			l = lin[s - 1];
		else
			l = ++lineages;
		for (k = s; k < e; k++)
			lin[k] = l;
		if (mprotect(r + s * page, len * page, RX)) {
			frag_error("jit", "mprotect");
			goto out;
		}
		model_set(s, e, RX);
		fstart[nf] = s;
		flen[nf] = len;
		nf++;
	}
	frag_report("jit", r, JIT_PAGES, model_min(JIT_PAGES));
out:
	munmap(r, JIT_PAGES * page);
}

/*
 * malloc arenas, as glibc manages its non-main heaps: each arena is a
 * PROT_NONE reservation whose top is made writable to grow it and
 * mapped PROT_NONE again (MAP_FIXED) to trim it.  The arenas are apart
 * from each other.
 */
#define ARENAS 4
#define ARENA_PAGES 256
#define ARENA_GAP 16
#define ARENA_STEPS 2000
#define ARENA_SPAN (ARENAS * (ARENA_PAGES + ARENA_GAP))

/*
 * Reserve @n inaccessible MAP_NORESERVE arenas of @pages pages, @gap pages
 * apart, at the start of @r, and model them.  Returns 0, or -1 after
 * reporting the error.
 */
static int frag_reserve_arenas(const char *name, char *r, unsigned long n,
			       unsigned long pages, unsigned long gap)
{
	unsigned long a, base;

	for (a = 0; a < n; a++) {
		base = a * (pages + gap);
		if (map_at(r + base * page, pages * page, PROT_NONE,
			   MAP_NORESERVE))
			return frag_error(name, "mmap");
		model_set(base, base + pages, PROT_NONE);
	}
	return 0;
}

static void frag_malloc_arena(void)
{
	unsigned long top[ARENAS] = { 0 };
	unsigned long i, a, k, base, t;
	char *r, *p;

	model_reset();
	r = frag_range("malloc-arena", ARENA_SPAN);
	if (!r)
		return;
	if (frag_reserve_arenas("malloc-arena", r, ARENAS, ARENA_PAGES,
				ARENA_GAP))
		goto out;
	rng_seed(0xa11);
	for (i = 0; i < ARENA_STEPS; i++) {
		a = rng(ARENAS);
		base = a * (ARENA_PAGES + ARENA_GAP);
		t = top[a];
		if (rng(10) < 6) {
			k = 1 + rng(8);
			if (t + k > ARENA_PAGES)
				k = ARENA_PAGES - t;
			if (!k)
				continue;
			p = r + (base + t) * page;
			if (mprotect(p, k * page, RW)) {
				frag_error("malloc-arena", "mprotect");
				goto out;
			}
			touch(p, k * page);
			model_set(base + t, base + t + k, RW);
			top[a] = t + k;
		} else {
			k = 1 + rng(16);
			if (k > t)
				k = t;
			if (!k)
				continue;
			p = r + (base + t - k) * page;
			if (mmap(p, k * page, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				 MAP_NORESERVE, -1, 0) != p) {
				frag_error("malloc-arena", "mmap");
				goto out;
			}
			model_set(base + t - k, base + t, PROT_NONE);
			top[a] = t - k;
		}
	}
	frag_report("malloc-arena", r, ARENA_SPAN, model_min(ARENA_SPAN));
out:
	munmap(r, ARENA_SPAN * page);
}

/*
 * A process maps and writes a heap, makes stripes of it read-only, and
 * forks; the child writes to every page (copy on write) and makes the
 * whole range writable again.  The child's VMAs each got an anon_vma of
 * their own at fork, so they cannot merge: its minimum is the number of
 * VMAs the parent had at fork (at best).  The parent, whose VMAs share
 * one anon_vma, then does the same and can end with one VMA.
 */
#define FORK_PAGES 512
#define FORK_STRIPES 24

static void frag_fork_write(void)
{
	unsigned long i, s, len;
	int status, min_child;
	pid_t pid;
	char *r;

	r = frag_map_rw("fork-write", FORK_PAGES);
	if (!r)
		return;
	rng_seed(0xf0f);
	for (i = 0; i < FORK_STRIPES; i++) {
		s = rng(FORK_PAGES);
		len = 1 + rng(16);
		if (s + len > FORK_PAGES)
			len = FORK_PAGES - s;
		if (mprotect(r + s * page, len * page,
			     i % 4 == 3 ? RW : PROT_READ)) {
			frag_error("fork-write", "mprotect");
			goto out;
		}
		model_set(s, s + len, i % 4 == 3 ? RW : PROT_READ);
	}
	min_child = model_min(FORK_PAGES);

	pid = fork();
	if (pid < 0) {
		frag_error("fork-write", "fork");
		goto out;
	}
	if (!pid) {
		for (i = 0; i < FORK_PAGES; i++)
			if (st[i] == RW + 1)
				r[i * page] = 2;
		if (mprotect(r, FORK_PAGES * page, RW)) {
			frag_error("fork-write-child", "mprotect");
			_exit(1);
		}
		touch(r, FORK_PAGES * page);
		frag_report("fork-write-child", r, FORK_PAGES, min_child);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		failed = 1;

	if (mprotect(r, FORK_PAGES * page, RW)) {
		frag_error("fork-write", "mprotect");
		goto out;
	}
	touch(r, FORK_PAGES * page);
	frag_report("fork-write-parent", r, FORK_PAGES, 1);
out:
	munmap(r, FORK_PAGES * page);
}

/*
 * A JIT whose code arenas are stacks, W^X.  Each arena is an inaccessible
 * MAP_NORESERVE reservation, apart from the others.  A function is pushed
 * at the arena's top: made writable, written and made read+exec.
 * Deoptimisation pops the most recent functions: their pages are dropped
 * and made inaccessible again.  Some functions are patched (writable,
 * written, read+exec again).  Nothing is charged, so every piece has the
 * same flags whatever its protection (kernels since 6.2 drop VM_ACCOUNT
 * from an unwritten range made inaccessible, which would keep it apart
 * for another reason).
 *
 * The top of an arena is never written before its first push, so it has
 * no anon_vma, while popped code has one: the two can be one VMA only
 * where a VMA that has an anon_vma may merge with one that has none
 * (upstream 879bca0a2c4f; 6.1 refuses).  Each arena has one anon_vma,
 * its first function's: every later push either splits a piece that
 * has it or is written right after a function, whose anon_vma
 * anon_vma_prepare() reuses.  The minimum is one VMA per run of equal
 * protection in each arena.
 */
#define JA_ARENAS 8
#define JA_PAGES 128
#define JA_GAP 16
#define JA_STEPS 3000
#define JA_MAX_FUNCS 128
#define JA_SPAN (JA_ARENAS * (JA_PAGES + JA_GAP))

static void frag_jit_arenas(void)
{
	static unsigned char flen[JA_ARENAS][JA_MAX_FUNCS];
	unsigned long top[JA_ARENAS] = { 0 }, nf[JA_ARENAS] = { 0 };
	unsigned long i, a, k, n, base, what, len;
	char *r, *f;

	model_reset();
	r = frag_range("jit-arenas", JA_SPAN);
	if (!r)
		return;
	if (frag_reserve_arenas("jit-arenas", r, JA_ARENAS, JA_PAGES, JA_GAP))
		goto out;
	for (a = 0; a < JA_ARENAS; a++)
		for (k = 0; k < JA_PAGES; k++)
			lin[a * (JA_PAGES + JA_GAP) + k] = a + 1;

	rng_seed(0x57ac);
	for (i = 0; i < JA_STEPS; i++) {
		a = rng(JA_ARENAS);
		base = a * (JA_PAGES + JA_GAP);
		what = rng(10);
		if (nf[a] && what >= 6) {
			/* Pop one to three functions. */
			for (n = 1 + rng(3); n && nf[a]; n--) {
				len = flen[a][--nf[a]];
				top[a] -= len;
				f = r + (base + top[a]) * page;
				if (madvise(f, len * page, MADV_DONTNEED) ||
				    mprotect(f, len * page, PROT_NONE)) {
					frag_error("jit-arenas", "pop");
					goto out;
				}
				model_set(base + top[a], base + top[a] + len,
					  PROT_NONE);
			}
			continue;
		}
		if (nf[a] && what == 5) {
			/* Patch function k: it starts below those above it. */
			k = rng(nf[a]);
			n = top[a];
			for (len = nf[a]; len > k; len--)
				n -= flen[a][len - 1];
			len = flen[a][k];
			f = r + (base + n) * page;
			if (write_code(f, len * page)) {
				frag_error("jit-arenas", "mprotect");
				goto out;
			}
			continue;
		}
		/* Push a function. */
		len = 1 + rng(8);
		if (top[a] + len > JA_PAGES || nf[a] == JA_MAX_FUNCS)
			continue;
		f = r + (base + top[a]) * page;
		if (write_code(f, len * page)) {
			frag_error("jit-arenas", "mprotect");
			goto out;
		}
		model_set(base + top[a], base + top[a] + len, RX);
		flen[a][nf[a]++] = len;
		top[a] += len;
	}
	frag_report("jit-arenas", r, JA_SPAN, model_min(JA_SPAN));
out:
	for (a = 0; a < JA_ARENAS; a++)
		munmap(r + a * (JA_PAGES + JA_GAP) * page, JA_PAGES * page);
}

static const struct frag {
	const char *name;
	const char *what;
	void (*run)(void);
} frags[] = {
	{ "gc-heap", "GC heap toggling protections", frag_gc_heap },
	{ "jit", "JIT code cache mapping, patching and freeing code", frag_jit },
	{ "jit-arenas", "W^X JIT arenas: push code, pop it back into the reservation",
	  frag_jit_arenas },
	{ "malloc-arena", "malloc arenas growing and trimming", frag_malloc_arena },
	{ "fork-write", "fork, then write and unprotect in the child and parent",
	  frag_fork_write },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Map @n one-page VMAs, each a page apart from the next, wherever the
 * kernel puts a range for them, and leave them mapped.
 */
static int map_apart(unsigned long n)
{
	char *p = mmap(NULL, 2 * n * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned long i;

	if (p == MAP_FAILED)
		return 0;
	for (i = 0; i < n; i++)
		if (munmap(p + (2 * i + 1) * page, page))
			return 0;
	return 1;
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-d SECONDS | -n OPS] [-b NAME,...] [-m VMAS] [-p] [-l]\n"
		"  -d SECONDS  run each benchmark this long (default 1)\n"
		"  -n OPS      run each benchmark this many operations\n"
		"  -b NAMES    run only these benchmarks and workloads\n"
		"  -m VMAS     first map this many one-page VMAs, apart\n"
		"  -p          mark each timed loop for kprof (make bench-profile)\n"
		"  -l          list the benchmarks and workloads\n",
		prog);
	exit(status);
}

int main(int argc, char **argv)
{
	struct utsname u;
	unsigned long i;
	char *end;
	int c;

	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	page = sysconf(_SC_PAGESIZE);

	while ((c = getopt(argc, argv, "d:n:b:m:plh")) != -1) {
		switch (c) {
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				usage(argv[0], 2);
			break;
		case 'n':
			fixed_ops = strtoul(optarg, &end, 0);
			if (*end || !fixed_ops)
				usage(argv[0], 2);
			break;
		case 'b':
			only = optarg;
			break;
		case 'm':
			extra_vmas = strtoul(optarg, &end, 0);
			if (*end || extra_vmas > 60000)
				usage(argv[0], 2);
			break;
		case 'p':
			profile = 1;
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(benches); i++)
				printf("bench %-14s %s\n", benches[i].name,
				       benches[i].what);
			for (i = 0; i < ARRAY_SIZE(frags); i++)
				printf("frag  %-14s %s\n", frags[i].name,
				       frags[i].what);
			return 0;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc)
		usage(argv[0], 2);

	if (extra_vmas && !map_apart(extra_vmas)) {
		printf("vma-bench error=\"cannot map %lu VMAs\"\n", extra_vmas);
		return 1;
	}
	uname(&u);
	if (fixed_ops)
		printf("vma-bench kernel=%s ops=%lu\n", u.release, fixed_ops);
	else
		printf("vma-bench kernel=%s duration=%g\n", u.release, duration);
	fflush(stdout);

	for (i = 0; i < ARRAY_SIZE(benches); i++)
		if (selected(benches[i].name))
			run_bench(&benches[i]);
	for (i = 0; i < ARRAY_SIZE(frags); i++)
		if (selected(frags[i].name))
			frags[i].run();
	return failed;
}
