// SPDX-License-Identifier: GPL-2.0
/*
 * failinject: make the Nth allocation of a system call that merges or
 * splits VMAs fail, for every N, and check what the call leaves behind.
 *
 * Each case sets up a few VMAs in its own region of the address space
 * and runs one call (an mprotect that splits a VMA, an mremap that
 * moves pages back next to their neighbours, ...).  A reference run,
 * without faults, records the layout of the region before and after
 * the call.  Then, for nth = 1, 2, 3, ..., a child sets up the same
 * region, arms /proc/thread-self/fail-nth to nth right before the call
 * and disarms it right after, and checks that:
 *
 *  - the call succeeded, or failed with an errno the call may return
 *    when the kernel is short of memory (ENOMEM, EAGAIN, ...);
 *  - /proc/self/maps is well formed;
 *  - on success, every page of the region is in the state the
 *    reference run left it in (mapped or not, protection, name,
 *    VmFlags, file offset, mempolicy); a call that succeeded with
 *    more VMAs than the reference ("unmerged") is allowed and counted;
 *  - on failure, every page is in its state before or after the call;
 *  - the data of every page that still holds it reads back;
 *  - Committed_AS and the in-use objects of the vm_area_struct,
 *    anon_vma and anon_vma_chain caches are what they were before the
 *    child was forked, once it has exited;
 *  - the kernel log shows no WARNING, BUG, lockdep report, ...
 *
 * The sweep of a case ends with the first nth the call does not reach
 * (the fault was not consumed) and that succeeds.
 *
 * Output is KTAP, one result per case and a last one, failinject_drift,
 * for the change of Committed_AS and of the slab counts over the whole
 * run.  It needs root, CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC and debugfs; without them it skips (exit 4).
 * The slab counts need SLUB_DEBUG and a kernel booted with
 * slab_nomerge.
 *
 * usage: failinject [-n] [-v] [-F] [-c NAME] [-s FIRST] [-m MAX]
 *
 * -F fails every slab allocation from the nth on, not just the nth
 * (failslab's task filter and /proc/thread-self/make-it-fail): an
 * allocation that is retried (the maple tree's GFP_NOWAIT, then
 * GFP_KERNEL, in a merge's store) fails too, and so do those of the
 * error path.  Its cases are named NAME_from; the cases that fork or exec
 * are left out, as the child would inherit make-it-fail.
 *
 * -n runs the reference runs only, with no fault injection, and prints
 * their layouts: it works on any kernel.  -v has the kernel log each
 * injected fault with its stack, and -s starts the sweep at nth=FIRST:
 * with -c and -m, to see which allocation a failing attempt made fail.
 *
 * The program allocates nothing with malloc: it would move the program
 * break, which the brk cases use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif
#define MPOL_DEFAULT	0
#define MPOL_BIND	2

#define RW	(PROT_READ | PROT_WRITE)
#define RO	PROT_READ

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define REGION_BASE	0x7e0000000000UL
#define REGION_STRIDE	0x40000000UL	/* 1 GiB per case */
#define SPAN		32		/* pages in a case's region */
#define MAX_PAGES	64
#define MAX_VMAS	24
#define MSG_MAX		1536
#define DEFAULT_MAX_NTH	3000

static unsigned long page;
static int no_inject;			/* -n */
static const char *only;		/* -c */
static unsigned int max_nth = DEFAULT_MAX_NTH;
static unsigned int first_nth = 1;	/* -s */
static int verbose;			/* -v */
static int from_nth;			/* -F */
static const char *suffix = "";		/* "_from" with -F */

static char outbuf[1 << 14];

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static const char *ename(int e)
{
	static char buf[4][16];
	static int i;
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", e);
	return buf[i];
}

/* Read a whole (proc or sysfs) file into @buf; -1 if it does not fit. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	if ((size_t)len >= size - 1)
		return -1;
	return len;
}

static int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, val, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Fault injection settings (debugfs)                                   */
/* ------------------------------------------------------------------ */

#define DEBUGFS "/sys/kernel/debug/"

static const struct knob {
	const char *dir, *file, *val;
} knobs[] = {
	{ "failslab", "task-filter", "N" },	/* Y with -F */
	{ "failslab", "ignore-gfp-wait", "N" },
	{ "failslab", "verbose", "0" },
	{ "failslab", "probability", "0" },
	{ "failslab", "interval", "1" },
	{ "failslab", "times", "-1" },
	{ "failslab", "space", "0" },
	{ "fail_page_alloc", "ignore-gfp-wait", "N" },
	{ "fail_page_alloc", "ignore-gfp-highmem", "N" },
	{ "fail_page_alloc", "min-order", "0" },
	{ "fail_page_alloc", "verbose", "0" },
	{ "fail_page_alloc", "probability", "0" },
	{ "fail_page_alloc", "interval", "1" },
	{ "fail_page_alloc", "times", "-1" },
	{ "fail_page_alloc", "space", "0" },
};

static char knob_saved[ARRAY_SIZE(knobs)][32];
static int knob_have[ARRAY_SIZE(knobs)];

static void knob_path(const struct knob *k, char *buf, size_t size)
{
	snprintf(buf, size, DEBUGFS "%s/%s", k->dir, k->file);
}

/*
 * The order in which to write @val to @k: a probability that becomes 0
 * first, one that becomes non-zero last, the rest in between.  With a
 * non-zero probability and no task filter every allocation of every task
 * fails, so the filter must never be off while the probability is not 0:
 * the merge selftests leave failslab filtered at 100%, -F sets it so, and
 * the knobs are put back as they were found.
 */
static int knob_phase(const struct knob *k, const char *val)
{
	if (strcmp(k->file, "probability"))
		return 1;
	return strcmp(val, "0") ? 2 : 0;
}

/*
 * Write @vals[i] to each knob that was read, in knob_phase() order.
 * Returns the index of the first knob that cannot be written, or -1.
 */
static int knobs_write(const char *const vals[])
{
	char path[128];
	unsigned int i;
	int phase, bad = -1;

	for (phase = 0; phase < 3; phase++)
		for (i = 0; i < ARRAY_SIZE(knobs); i++) {
			if (!knob_have[i] ||
			    knob_phase(&knobs[i], vals[i]) != phase)
				continue;
			knob_path(&knobs[i], path, sizeof(path));
			if (write_file(path, vals[i]) && bad < 0)
				bad = i;
		}
	return bad;
}

static void knobs_restore(void)
{
	const char *saved[ARRAY_SIZE(knobs)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		saved[i] = knob_saved[i];
	knobs_write(saved);
	memset(knob_have, 0, sizeof(knob_have));
}

static void on_signal(int sig)
{
	knobs_restore();
	_exit(128 + sig);
}

/*
 * Save and set the knobs; describe what they now read in @desc.
 * Returns -1 (with @desc saying why) if one of failslab cannot be set.
 */
static int knobs_setup(char *desc, size_t size)
{
	const char *dir = NULL;
	char path[128], val[32];
	size_t len = 0;
	unsigned int i;
	char *nl;

	const char *set[ARRAY_SIZE(knobs)];
	int bad;

	snprintf(desc, size, "fault injection:");
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		const struct knob *k = &knobs[i];

		set[i] = k->val;
		if (verbose && !strcmp(k->file, "verbose"))
			set[i] = "2";	/* with the stack */
		if (from_nth && !strcmp(k->dir, "failslab") &&
		    !strcmp(k->file, "task-filter"))
			set[i] = "Y";
		if (from_nth && !strcmp(k->dir, "failslab") &&
		    !strcmp(k->file, "probability"))
			set[i] = "100";	/* for make-it-fail tasks only */
		knob_path(k, path, sizeof(path));
		if (read_file(path, knob_saved[i], sizeof(knob_saved[i])) < 0) {
			if (!strcmp(k->dir, "failslab")) {
				snprintf(desc, size, "cannot read %s", path);
				return -1;
			}
			continue;
		}
		nl = strchr(knob_saved[i], '\n');
		if (nl)
			*nl = '\0';
		knob_have[i] = 1;
	}
	bad = knobs_write(set);
	if (bad >= 0) {
		knob_path(&knobs[bad], path, sizeof(path));
		snprintf(desc, size, "cannot write %s to %s", set[bad], path);
		knobs_restore();
		return -1;
	}
	atexit(knobs_restore);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		const struct knob *k = &knobs[i];

		len = strlen(desc);
		if (!dir || strcmp(dir, k->dir)) {
			snprintf(desc + len, size - len, "%s %s", dir ? ";" : "",
				 k->dir);
			len = strlen(desc);
			dir = k->dir;
		}
		knob_path(k, path, sizeof(path));
		if (read_file(path, val, sizeof(val)) < 0)
			snprintf(val, sizeof(val), "(none)");
		nl = strchr(val, '\n');
		if (nl)
			*nl = '\0';
		snprintf(desc + len, size - len, " %s=%s", k->file, val);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The kernel log                                                       */
/* ------------------------------------------------------------------ */

static int kmsg_rfd = -1, kmsg_wfd = -1;
static int since_alloc_failure = 1000;	/* records since warn_alloc() */
static long console_splats;

static const char *const splats[] = {
	"WARNING:", "BUG:", "Oops", "KASAN", "UBSAN",
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "Bad rss-counter", "Bad page",
	"Call Trace:",
};

static void kmsg_open(void)
{
	kmsg_rfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_rfd >= 0)
		lseek(kmsg_rfd, 0, SEEK_END);
	kmsg_wfd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
}

static void kmsg_mark(const char *what, const char *name)
{
	char buf[160];

	if (kmsg_wfd < 0)
		return;
	snprintf(buf, sizeof(buf), "vmatest-failinject: %s %s\n", what, name);
	if (write(kmsg_wfd, buf, strlen(buf)) < 0)
		return;
}

/*
 * Read the records logged since the last call; print and count the
 * lines that show a kernel problem.  A "Call Trace:" shortly after a
 * "page allocation failure" is warn_alloc() reporting a page
 * allocation that was made to fail: expected (as is the one after
 * "FAULT_INJECTION: forcing a failure" with -v).  With -v, the lines
 * of those reports are printed too.
 */
static int kmsg_scan(void)
{
	static char rec[8192];
	int bad = 0;
	unsigned int i;
	ssize_t n;
	char *msg, *nl;

	if (kmsg_rfd < 0)
		return 0;
	for (;;) {
		n = read(kmsg_rfd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE || errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (since_alloc_failure < 1000)
			since_alloc_failure++;
		if (strstr(msg, "page allocation failure") ||
		    strstr(msg, "FAULT_INJECTION: forcing a failure"))
			since_alloc_failure = 0;
		if (verbose && since_alloc_failure <= 40)
			printf("# kernel: %s\n", msg);
		for (i = 0; i < ARRAY_SIZE(splats); i++) {
			if (!strstr(msg, splats[i]))
				continue;
			if (!strcmp(splats[i], "Call Trace:") &&
			    since_alloc_failure <= 60)
				continue;
			printf("# console: %s\n", msg);
			bad++;
			break;
		}
	}
	console_splats += bad;
	return bad;
}

/* ------------------------------------------------------------------ */
/* Baselines: Committed_AS and slab objects                             */
/* ------------------------------------------------------------------ */

static const char *const slab_names[] = {
	"vm_area_struct", "anon_vma", "anon_vma_chain",
};
#define NR_SLABS ARRAY_SIZE(slab_names)

static int slab_ok[NR_SLABS];

struct base {
	long committed;			/* kB, less what our output takes */
	long objects[NR_SLABS];
};

/*
 * The kB that the file our output goes to takes: a file on tmpfs (the
 * guest's /tmp, where the suite runner collects it) charges each page
 * it grows by to Committed_AS, so what we print, and what an exec'd
 * child prints to the same file, would read as drift.
 */
static long output_kb(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) || !S_ISREG(st.st_mode))
		return 0;
	return (long)st.st_blocks / 2;
}

static void slab_probe(void)
{
	char path[128], warn[512] = "";
	struct stat st;
	unsigned int i;
	size_t len;

	for (i = 0; i < NR_SLABS; i++) {
		len = strlen(warn);
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", slab_names[i]);
		if (lstat(path, &st)) {
			snprintf(warn + len, sizeof(warn) - len, " %s (missing)",
				 slab_names[i]);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			snprintf(warn + len, sizeof(warn) - len,
				 " %s (merged with other caches)", slab_names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects",
			 slab_names[i]);
		if (access(path, R_OK)) {
			snprintf(warn + len, sizeof(warn) - len,
				 " %s (no objects file)", slab_names[i]);
			continue;
		}
		slab_ok[i] = 1;
	}
	if (warn[0])
		printf("# warning: not checking the slab objects of%s; boot with slab_nomerge and SLUB_DEBUG\n",
		       warn);
}

static long meminfo_kb(const char *key)
{
	static char buf[8192];
	char *s;

	if (read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	s = strstr(buf, key);
	if (!s)
		return -1;
	return strtol(s + strlen(key), NULL, 10);
}

static void base_read(struct base *b)
{
	char path[128], buf[256];
	unsigned int i;

	b->committed = meminfo_kb("Committed_AS:") - output_kb();
	for (i = 0; i < NR_SLABS; i++) {
		b->objects[i] = 0;
		if (!slab_ok[i])
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 slab_names[i]);
		write_file(path, "1");
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects",
			 slab_names[i]);
		if (read_file(path, buf, sizeof(buf)) < 0)
			b->objects[i] = -1;
		else
			b->objects[i] = strtol(buf, NULL, 10);
	}
}

/*
 * Grow this process's stack VMA now: a stack that grows into a new page
 * between a baseline and its check charges Committed_AS for it, and
 * would read as a leak of the call under test.
 */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char buf[1 << 20];

	memset((char *)buf, 0, sizeof(buf));
}

/*
 * Wait until nothing else changes the counters: a program of an earlier
 * suite may still be exiting, and its teardown would show as drift in
 * the first cases.  Stable means ten readings in a row, 200 ms apart,
 * that agree; give up (and say so) after a minute.
 */
static void settle(void)
{
	struct base prev, cur;
	int same = 0, tries;

	base_read(&prev);
	for (tries = 0; tries < 300 && same < 10; tries++) {
		usleep(200000);
		base_read(&cur);
		if (!memcmp(&prev, &cur, sizeof(cur))) {
			same++;
		} else {
			same = 0;
			prev = cur;
		}
	}
	printf("# counters %s after %.1f s\n",
	       same >= 10 ? "settled" : "still moving", tries * 0.2);
}

/* Print "# @what: Committed_AS +64 kB" lines; the number of them. */
static int base_compare(const struct base *a, const struct base *b,
			const char *what)
{
	unsigned int i;
	int bad = 0;

	if (b->committed != a->committed) {
		printf("# %s: Committed_AS %+ld kB\n", what,
		       b->committed - a->committed);
		bad++;
	}
	for (i = 0; i < NR_SLABS; i++) {
		if (!slab_ok[i] || b->objects[i] == a->objects[i])
			continue;
		printf("# %s: %s %+ld\n", what, slab_names[i],
		       b->objects[i] - a->objects[i]);
		bad++;
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Layouts                                                              */
/* ------------------------------------------------------------------ */

/* One VMA that intersects a region, clipped to it. */
struct vent {
	long start, end;		/* pages from the region's base */
	unsigned long vstart;		/* the VMA's own start address */
	unsigned long pgoff;		/* file offset of .start, in pages */
	int file;			/* pgoff means something */
	char perms[5];
	char name[64];
	char flags[96];			/* VmFlags, without sd */
	char pol[32];			/* numa_maps policy, if asked for */
};

struct layout {
	int n;
	struct vent v[MAX_VMAS];
};

/* What a child reports to the parent, in the shared area. */
struct report {
	int done;			/* the child got to the end */
	int skip;			/* the case cannot run here: msg */
	int bad;			/* a check failed: msg */
	long rc;
	int err;
	int injected;
	int unmerged;			/* succeeded, more VMAs than the ref */
	int kept;			/* succeeded, old range still mapped */
	int post_exec;			/* execve: died after it was committed */
	int gc_done, gc_err, gc_injected;	/* execve: the grandchild */
	char msg[MSG_MAX];
	struct layout pre, post;
};

static struct shared {
	struct report ref, att;
} *sh;

static const struct vent *vent_at(const struct layout *l, long i)
{
	int k;

	for (k = 0; k < l->n; k++)
		if (l->v[k].start <= i && i < l->v[k].end)
			return &l->v[k];
	return NULL;
}

/* Is page @i in the same state in @a and @b? */
static int same_page(const struct layout *a, const struct layout *b, long i)
{
	const struct vent *x = vent_at(a, i), *y = vent_at(b, i);

	if (!x || !y)
		return x == y;
	if (x->file != y->file ||
	    (x->file && x->pgoff + (i - x->start) != y->pgoff + (i - y->start)))
		return 0;
	return !strcmp(x->perms, y->perms) && !strcmp(x->name, y->name) &&
	       !strcmp(x->flags, y->flags) && !strcmp(x->pol, y->pol);
}

/* The VmFlags that every mapping of ours has: not worth printing. */
static int plain_flag(const char *f)
{
	static const char *const plain[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "ac",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plain); i++)
		if (!strcmp(f, plain[i]))
			return 1;
	return 0;
}

static void fmt_vent(const struct vent *v, char *buf, size_t size)
{
	char fl[96], tok[8];
	const char *s = v->flags;
	size_t len;
	int n;

	snprintf(buf, size, "[%ld,%ld) %s", v->start, v->end, v->perms);
	len = strlen(buf);
	if (v->file) {
		snprintf(buf + len, size - len, " %s off=%lu", v->name, v->pgoff);
		len = strlen(buf);
	} else if (v->name[0]) {
		snprintf(buf + len, size - len, " %s", v->name);
		len = strlen(buf);
	}
	fl[0] = '\0';
	while (sscanf(s, "%7s%n", tok, &n) == 1) {
		s += n;
		if (plain_flag(tok))
			continue;
		snprintf(fl + strlen(fl), sizeof(fl) - strlen(fl), "%s%s",
			 fl[0] ? " " : "", tok);
	}
	if (fl[0]) {
		snprintf(buf + len, size - len, " {%s}", fl);
		len = strlen(buf);
	}
	if (v->pol[0] && strcmp(v->pol, "default"))
		snprintf(buf + len, size - len, " %s", v->pol);
}

static void fmt_layout(const struct layout *l, char *buf, size_t size)
{
	char one[256];
	size_t len;
	int k;

	buf[0] = '\0';
	if (!l->n)
		snprintf(buf, size, "(nothing mapped)");
	for (k = 0; k < l->n; k++) {
		fmt_vent(&l->v[k], one, sizeof(one));
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", k ? ", " : "", one);
	}
}

/* Page @i of @l, with everything same_page() compares. */
static void fmt_page(const struct layout *l, long i, char *buf, size_t size)
{
	const struct vent *v = vent_at(l, i);

	if (!v)
		snprintf(buf, size, "unmapped");
	else
		snprintf(buf, size, "in [%ld,%ld) %s pgoff %ld %s{%s}%s%s",
			 v->start, v->end, v->perms,
			 v->file ? (long)(v->pgoff + (i - v->start)) : -1,
			 v->name, v->flags, v->pol[0] ? " " : "", v->pol);
}

/*
 * Parse "start-end perms offset dev inode name" in place.  @file says
 * whether a file backs the mapping (device or inode not 0: the inode
 * of a SysV segment is its id, which can be 0); the offset of an
 * anonymous mapping is always 0.
 */
static int parse_maps_line(char *s, unsigned long *start, unsigned long *end,
			   char perms[5], unsigned long *off, int *file,
			   char **name)
{
	unsigned long major, minor, inode;
	char *p;

	*start = strtoul(s, &p, 16);
	if (*p != '-')
		return -1;
	*end = strtoul(p + 1, &p, 16);
	if (*p != ' ' || strlen(p) < 6 || p[5] != ' ')
		return -1;
	memcpy(perms, p + 1, 4);
	perms[4] = '\0';
	*off = strtoul(p + 6, &p, 16);
	if (*p != ' ')
		return -1;
	major = strtoul(p + 1, &p, 16);
	if (*p != ':')
		return -1;
	minor = strtoul(p + 1, &p, 16);
	if (*p != ' ')
		return -1;
	inode = strtoul(p + 1, &p, 10);
	if (*p && *p != ' ')
		return -1;
	*file = major || minor || inode;
	while (*p == ' ')
		p++;
	*name = p;
	return 0;
}

static int is_header(const char *s)
{
	return (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f');
}

/* ------------------------------------------------------------------ */
/* A case's context in a child                                          */
/* ------------------------------------------------------------------ */

struct ctx;

struct fi_case {
	const char *name;
	const char *sys;		/* the system call, for the totals */
	int (*setup)(struct ctx *c);
	long (*op)(struct ctx *c);
	void (*after)(struct ctx *c, long rc);	/* extra checks */
	unsigned int errs;		/* errnos a failed call may return */
	unsigned int flags;
	int want;			/* VMAs in the region after the op */
	int want_61;			/* ... on 6.1 without the stack, if not want */
};

/* fi_case.errs */
#define E_NOMEM	0x1
#define E_AGAIN	0x2
#define E_2BIG	0x4
#define E_NOEXEC 0x8

/* fi_case.flags */
#define F_FAULTED	0x01	/* setup fills (faults in) its pages */
#define F_NUMA		0x02	/* layouts include the numa_maps policy */
#define F_HOLE		0x04	/* a failure may leave hole_lo..hi unmapped */
#define F_SKIPOK	0x08	/* EINVAL, ENOSYS, EPERM: not supported */
#define F_EXEC		0x10
/*
 * The call ends with an unmap whose failure it ignores: on a success
 * after an injected fault, pages may still be as before the call.
 * ksys_shmdt() ignores a failed do_munmap() (so does mainline), and an
 * mremap() move that cannot unmap the old range still returns the new
 * address, where the pages are (0034 keeps that range charged).  Such
 * attempts are counted as "kept the old range".
 */
#define F_UNMAP_MAY_FAIL 0x20

#define NO_DATA		(-1)
#define ZERO_DATA	(-2)

struct ctx {
	const struct fi_case *tc;
	int num;			/* the case's index in cases[] */
	struct report *rep;
	char *base;
	long span;			/* pages */
	/* the pattern each page holds before the op, or NO_DATA */
	long pat[MAX_PAGES];
	/* a move done by the op: on success pages src.. are at dst.. */
	long mv_src, mv_dst, mv_n;
	int mv_zero;			/* MREMAP_DONTUNMAP: src reads zero */
	/* pages the op maps anew (zero on success), or may leave unmapped */
	long hole_lo, hole_hi;
	int fd, shmid;
	unsigned long top;		/* brk */
	/* fault injection */
	unsigned int nth;
	int fi_fd;
	int mif_fd;			/* make-it-fail, with -F */
	int err;
	int injected;
	char nthbuf[16];
	int nthlen;
	char rbuf[32];
	char scratch[MSG_MAX];
};

static char *pg(const struct ctx *c, long i)
{
	return c->base + i * (long)page;
}

static void bad(struct ctx *c, const char *fmt, ...)
{
	struct report *r = c->rep;
	size_t len = strlen(r->msg);
	va_list ap;

	if (len && len < sizeof(r->msg) - 2) {
		strcpy(r->msg + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->msg + len, sizeof(r->msg) - len, fmt, ap);
	va_end(ap);
	r->bad = 1;
}

static int setup_fail(struct ctx *c, const char *what)
{
	bad(c, "setup: %s: %s", what, strerror(errno));
	return -1;
}

/* Setup returns 1 when the case cannot run on this kernel. */
static int setup_skip(struct ctx *c, const char *what)
{
	int e = errno;

	if (e == ENOSYS || e == EINVAL || e == EPERM || e == EOPNOTSUPP) {
		snprintf(c->rep->msg, sizeof(c->rep->msg), "%s: %s", what,
			 strerror(e));
		return 1;
	}
	return setup_fail(c, what);
}

/*
 * Fault injection.  The fail-nth file is this thread's; it is armed
 * with a pwrite() right before the call and read back and disarmed
 * right after, with nothing in between that could allocate: the buffers
 * are written (faulted in) before arming.
 */
static int fi_open(struct ctx *c)
{
	c->fi_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (c->fi_fd < 0)
		return -1;
	if (from_nth) {
		c->mif_fd = open("/proc/thread-self/make-it-fail",
				 O_WRONLY | O_CLOEXEC);
		if (c->mif_fd < 0)
			return -1;
	}
	return 0;
}

static void fi_arm(struct ctx *c)
{
	c->injected = 0;
	if (!c->nth)
		return;
	errno = 0;	/* the C library writes errno after the call */
	c->nthlen = snprintf(c->nthbuf, sizeof(c->nthbuf), "%u", c->nth);
	memset(c->rbuf, 0, sizeof(c->rbuf));
	if (pwrite(c->fi_fd, c->nthbuf, c->nthlen, 0) != c->nthlen ||
	    (from_nth && write(c->mif_fd, "1", 1) != 1)) {
		bad(c, "cannot arm fail-nth: %s", strerror(errno));
		c->rep->done = 1;
		_exit(1);
	}
}

static void fi_disarm(struct ctx *c)
{
	int e = errno;
	ssize_t n;

	if (!c->nth)
		return;
	if (from_nth && write(c->mif_fd, "0", 1) != 1) {
		bad(c, "cannot clear make-it-fail: %s", strerror(errno));
		c->rep->done = 1;
		_exit(1);
	}
	n = pread(c->fi_fd, c->rbuf, sizeof(c->rbuf) - 1, 0);
	if (pwrite(c->fi_fd, "0", 1, 0) != 1 || n <= 0) {
		bad(c, "cannot disarm fail-nth: %s", strerror(errno));
		c->rep->done = 1;
		_exit(1);
	}
	c->rbuf[n] = '\0';
	c->injected = strtoul(c->rbuf, NULL, 10) == 0;
	errno = e;
}

/* Run one system call with the fault armed; its result as a long. */
#define FI_CALL(c, call) ({			\
	long __rc;				\
	fi_arm(c);				\
	__rc = (long)(call);			\
	(c)->err = errno;			\
	fi_disarm(c);				\
	__rc;					\
})

/* Touch the stack the op and the checks will use, before arming. */
static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char buf[64 * 1024];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 0;
}

/* ------------------------------------------------------------------ */
/* Snapshots of the region                                              */
/* ------------------------------------------------------------------ */

static char smaps_buf[1 << 18];
static char maps_buf[1 << 16];

static int snapshot(struct ctx *c, struct layout *l)
{
	unsigned long start, end, off, lo, hi, vstart;
	struct vent *v = NULL;
	char perms[5], *s, *e, *name, *p;
	int k, file;

	lo = (unsigned long)c->base;
	hi = lo + c->span * page;
	memset(l, 0, sizeof(*l));
	if (read_file("/proc/self/smaps", smaps_buf, sizeof(smaps_buf)) < 0) {
		bad(c, "cannot read /proc/self/smaps");
		return -1;
	}
	for (s = smaps_buf; *s; s = e) {
		e = strchr(s, '\n');
		if (e)
			*e++ = '\0';
		else
			e = s + strlen(s);
		if (!is_header(s)) {
			if (v && !strncmp(s, "VmFlags:", 8)) {
				char tok[8];
				int n;

				p = s + 8;
				while (sscanf(p, "%7s%n", tok, &n) == 1) {
					p += n;
					if (!strcmp(tok, "sd"))
						continue;
					snprintf(v->flags + strlen(v->flags),
						 sizeof(v->flags) - strlen(v->flags),
						 "%s%s", v->flags[0] ? " " : "", tok);
				}
			}
			continue;
		}
		v = NULL;
		if (parse_maps_line(s, &start, &end, perms, &off, &file, &name)) {
			bad(c, "smaps: cannot parse \"%.80s\"", s);
			return -1;
		}
		if (end <= lo || start >= hi)
			continue;
		if (l->n == MAX_VMAS) {
			bad(c, "more than %d VMAs in the region", MAX_VMAS);
			return -1;
		}
		v = &l->v[l->n++];
		vstart = start;
		if (start < lo)
			start = lo;
		if (end > hi)
			end = hi;
		v->start = (start - lo) / page;
		v->end = (end - lo) / page;
		v->vstart = vstart;
		v->pgoff = off / page + (start - vstart) / page;
		v->file = file;
		strcpy(v->perms, perms);
		snprintf(v->name, sizeof(v->name), "%s", name);
	}

	if (!(c->tc->flags & F_NUMA))
		return 0;
	if (read_file("/proc/self/numa_maps", smaps_buf, sizeof(smaps_buf)) < 0) {
		bad(c, "cannot read /proc/self/numa_maps");
		return -1;
	}
	for (s = smaps_buf; *s; s = e) {
		char pol[32];

		e = strchr(s, '\n');
		if (e)
			*e++ = '\0';
		else
			e = s + strlen(s);
		start = strtoul(s, &p, 16);
		if (sscanf(p, "%31s", pol) != 1)
			continue;
		for (k = 0; k < l->n; k++)
			if (l->v[k].vstart == start)
				strcpy(l->v[k].pol, pol);
	}
	return 0;
}

/* /proc/self/maps: every line parses, sorted, aligned, no overlaps. */
static void check_maps(struct ctx *c)
{
	unsigned long start, end, off, prev = 0;
	char perms[5], *s, *e, *name;
	int file;

	if (read_file("/proc/self/maps", maps_buf, sizeof(maps_buf)) < 0) {
		bad(c, "cannot read /proc/self/maps");
		return;
	}
	for (s = maps_buf; *s; s = e) {
		e = strchr(s, '\n');
		if (e)
			*e++ = '\0';
		else
			e = s + strlen(s);
		if (parse_maps_line(s, &start, &end, perms, &off, &file, &name)) {
			bad(c, "maps: cannot parse \"%.80s\"", s);
			return;
		}
		if (start >= end || (start | end) & (page - 1)) {
			bad(c, "maps: bad range \"%.80s\"", s);
			return;
		}
		if (start < prev) {
			bad(c, "maps: not sorted or overlapping at \"%.80s\"", s);
			return;
		}
		prev = end;
	}
}

/* ------------------------------------------------------------------ */
/* Data                                                                 */
/* ------------------------------------------------------------------ */

static uint64_t pattern(const struct ctx *c, long idx)
{
	return 0xfa11000000000000ULL | ((uint64_t)c->num << 32) |
	       (uint64_t)idx;
}

static void put_pattern(struct ctx *c, char *addr, long idx)
{
	*(volatile uint64_t *)addr = pattern(c, idx);
	*(volatile uint64_t *)(addr + page - 8) = ~pattern(c, idx);
}

/* Fill pages lo..hi with their pattern, in every variant. */
static void fill_always(struct ctx *c, long lo, long hi)
{
	long i;

	for (i = lo; i < hi; i++) {
		put_pattern(c, pg(c, i), i);
		c->pat[i] = i;
	}
}

/* Fill pages lo..hi with their pattern, in the faulted variants. */
static void fill(struct ctx *c, long lo, long hi)
{
	if (c->tc->flags & F_FAULTED)
		fill_always(c, lo, hi);
}

/* Setup moved pages src.. to dst..: so did their data. */
static void move_pat(struct ctx *c, long src, long dst, long n)
{
	long k;

	for (k = 0; k < n; k++) {
		c->pat[dst + k] = c->pat[src + k];
		c->pat[src + k] = NO_DATA;
	}
}

/* The data each page must hold after the op (if it is mapped). */
static void expected(const struct ctx *c, int ok, long *exp)
{
	long i, k;

	memcpy(exp, c->pat, sizeof(c->pat));
	if (!ok)
		return;
	for (k = 0; k < c->mv_n; k++)
		exp[c->mv_src + k] = c->mv_zero && c->pat[c->mv_src + k] >= 0 ?
				     ZERO_DATA : NO_DATA;
	for (k = 0; k < c->mv_n; k++)
		exp[c->mv_dst + k] = c->pat[c->mv_src + k];
	for (i = c->hole_lo; i < c->hole_hi; i++)
		exp[i] = ZERO_DATA;
}

/*
 * Check the data of every readable page that @l maps.  Returns the
 * number of bad pages, and describes the first in @c's report unless
 * @quiet.
 */
static int check_data(struct ctx *c, const struct layout *l, int ok, int quiet)
{
	long exp[MAX_PAGES], i;
	const struct vent *v;
	uint64_t want, head, tail;
	int nbad = 0;

	expected(c, ok, exp);
	for (i = 0; i < c->span; i++) {
		if (exp[i] == NO_DATA)
			continue;
		v = vent_at(l, i);
		if (!v || v->perms[0] != 'r')
			continue;
		head = *(volatile uint64_t *)pg(c, i);
		tail = *(volatile uint64_t *)(pg(c, i) + page - 8);
		if (exp[i] == ZERO_DATA) {
			if (!head && !tail)
				continue;
			want = 0;
		} else {
			want = pattern(c, exp[i]);
			if (head == want && tail == ~want)
				continue;
		}
		if (!nbad++ && !quiet)
			bad(c, "page %ld: data %#llx/%#llx, expected %s %#llx",
			    i, (unsigned long long)head,
			    (unsigned long long)tail,
			    exp[i] == ZERO_DATA ? "zeroes" : "pattern",
			    (unsigned long long)want);
	}
	return nbad;
}

/* Read every page of lo..hi that @l maps without VM_UFFD_MISSING. */
static void touch_range(struct ctx *c, const struct layout *l, long lo,
			long hi)
{
	const struct vent *v;
	long i;

	for (i = lo; i < hi; i++) {
		v = vent_at(l, i);
		if (!v || v->perms[0] != 'r' || strstr(v->flags, "um"))
			continue;
		(void)*(volatile char *)pg(c, i);
	}
}

/* ------------------------------------------------------------------ */
/* Setup helpers                                                        */
/* ------------------------------------------------------------------ */

static int map_anon(struct ctx *c, long lo, long hi, int prot, int flags)
{
	void *p = mmap(pg(c, lo), (hi - lo) * page, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | flags,
		       -1, 0);

	if (p != pg(c, lo)) {
		if (p != MAP_FAILED)
			errno = EEXIST;
		return setup_fail(c, "mmap");
	}
	return 0;
}

/* Anonymous rw lo..hi, filled. */
static int anon(struct ctx *c, long lo, long hi)
{
	if (map_anon(c, lo, hi, RW, 0))
		return -1;
	fill(c, lo, hi);
	return 0;
}

static int prot(struct ctx *c, long lo, long hi, int prot)
{
	if (mprotect(pg(c, lo), (hi - lo) * page, prot))
		return setup_fail(c, "mprotect");
	return 0;
}

/* Unmap anonymous pages: mapped again, they must read zeroes. */
static int unmap(struct ctx *c, long lo, long hi)
{
	long i;

	if (munmap(pg(c, lo), (hi - lo) * page))
		return setup_fail(c, "munmap");
	for (i = lo; i < hi; i++)
		c->pat[i] = ZERO_DATA;
	return 0;
}

static int advise(struct ctx *c, long lo, long hi, int advice)
{
	if (madvise(pg(c, lo), (hi - lo) * page, advice))
		return setup_fail(c, "madvise");
	return 0;
}

/* A memfd of @pages pages. */
static int memfd(struct ctx *c, long pages)
{
	c->fd = memfd_create("failinject", MFD_CLOEXEC);
	if (c->fd < 0)
		return setup_fail(c, "memfd_create");
	if (ftruncate(c->fd, pages * page))
		return setup_fail(c, "ftruncate");
	return 0;
}

/* The memfd's pages off.. shared at lo..hi. */
static int map_file(struct ctx *c, long lo, long hi, int prot, long off)
{
	void *p = mmap(pg(c, lo), (hi - lo) * page, prot,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, off * page);

	if (p != pg(c, lo)) {
		if (p != MAP_FAILED)
			errno = EEXIST;
		return setup_fail(c, "mmap memfd");
	}
	return 0;
}

/*
 * A SysV segment of @pages pages attached at @at, marked for removal
 * at once so that it goes with the last detach, however the child
 * ends.  @at may be outside the region (a scratch attach that keeps
 * the segment alive for an shmat() by the op).
 */
static int shm(struct ctx *c, long pages, char *at)
{
	c->shmid = shmget(IPC_PRIVATE, pages * page, IPC_CREAT | 0600);
	if (c->shmid < 0)
		return setup_skip(c, "shmget");
	if (shmat(c->shmid, at, 0) != at) {
		int e = errno;

		shmctl(c->shmid, IPC_RMID, NULL);
		errno = e;
		return setup_fail(c, "shmat");
	}
	if (shmctl(c->shmid, IPC_RMID, NULL))
		return setup_fail(c, "shmctl IPC_RMID");
	return 0;
}

/* The scratch address of a case: past its region, in its own GiB. */
static char *scratch(const struct ctx *c)
{
	return pg(c, c->span + 64);
}

/* ------------------------------------------------------------------ */
/* The cases: mmap                                                      */
/* ------------------------------------------------------------------ */

static long mmap_anon_fixed(struct ctx *c, long lo, long hi)
{
	long rc = FI_CALL(c, mmap(pg(c, lo), (hi - lo) * page, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

	return rc == (long)MAP_FAILED ? -1 : 0;
}

static int setup_0_4(struct ctx *c)
{
	return anon(c, 0, 4);
}

static long op_mmap_4_8(struct ctx *c)
{
	return mmap_anon_fixed(c, 4, 8);
}

static int setup_4_8(struct ctx *c)
{
	return anon(c, 4, 8);
}

static long op_mmap_0_4(struct ctx *c)
{
	return mmap_anon_fixed(c, 0, 4);
}

/* 0..4 and 8..12, one anon_vma: a hole between two VMAs that can merge. */
static int setup_hole(struct ctx *c)
{
	if (anon(c, 0, 12) || unmap(c, 4, 8))
		return -1;
	return 0;
}

static int setup_0_12(struct ctx *c)
{
	return anon(c, 0, 12);
}

static int setup_replace(struct ctx *c)
{
	c->hole_lo = 4;
	c->hole_hi = 8;
	return anon(c, 0, 12);
}

static long op_mmap_hint(struct ctx *c)
{
	long rc = FI_CALL(c, mmap(pg(c, 4), 4 * page, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	if (rc == (long)MAP_FAILED)
		return -1;
	if (rc != (long)pg(c, 4))
		bad(c, "mmap put the mapping at %#lx, not at the hint %p",
		    rc, pg(c, 4));
	return 0;
}

static int setup_file_hole(struct ctx *c)
{
	if (memfd(c, 12) || map_file(c, 0, 12, RW, 0))
		return -1;
	fill(c, 0, 12);
	/* the data of 4..8 stays in the file */
	if (munmap(pg(c, 4), 4 * page))
		return setup_fail(c, "munmap");
	return 0;
}

static long op_mmap_file_4_8(struct ctx *c)
{
	long rc = FI_CALL(c, mmap(pg(c, 4), 4 * page, RW, MAP_SHARED | MAP_FIXED,
				  c->fd, 4 * page));

	return rc == (long)MAP_FAILED ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* munmap                                                               */
/* ------------------------------------------------------------------ */

/* 0..4 rw, 4..8 r, 8..12 rw: three VMAs, one anon_vma. */
static int setup_three(struct ctx *c)
{
	if (anon(c, 0, 12) || prot(c, 4, 8, RO))
		return -1;
	return 0;
}

static long op_munmap_4_8(struct ctx *c)
{
	return FI_CALL(c, munmap(pg(c, 4), 4 * page));
}

static long op_munmap_2_10(struct ctx *c)
{
	return FI_CALL(c, munmap(pg(c, 2), 8 * page));
}

/* ------------------------------------------------------------------ */
/* brk                                                                  */
/* ------------------------------------------------------------------ */

static unsigned long sys_brk(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

/*
 * The region is the heap: from the start of the heap VMA (at most
 * SPAN - 16 pages below the top) to 16 pages above the page-aligned
 * break, which setup grows by @grow pages, filled.
 */
static int setup_brk(struct ctx *c, long grow)
{
	unsigned long cur, top, start, end, off, lo;
	char perms[5], *s, *e, *name;
	int file;
	long i;

	cur = sys_brk(0);
	top = (cur + page - 1) & ~(page - 1);
	if (sys_brk(top + grow * page) != top + grow * page)
		return setup_fail(c, "brk");
	if (read_file("/proc/self/maps", maps_buf, sizeof(maps_buf)) < 0)
		return setup_fail(c, "read /proc/self/maps");
	lo = 0;
	for (s = maps_buf; *s; s = e) {
		e = strchr(s, '\n');
		if (e)
			*e++ = '\0';
		else
			e = s + strlen(s);
		if (parse_maps_line(s, &start, &end, perms, &off, &file, &name))
			continue;
		if (start <= top && top < end)
			lo = start;
	}
	if (!lo) {
		errno = ENOENT;
		return setup_fail(c, "no heap VMA");
	}
	if (top - lo > (SPAN - 16) * page)
		lo = top - (SPAN - 16) * page;
	c->base = (char *)lo;
	c->span = (top - lo) / page + 16;
	c->top = top;
	for (i = 0; i < grow; i++) {
		long idx = (top - lo) / page + i;

		put_pattern(c, pg(c, idx), idx);
		c->pat[idx] = idx;
	}
	return 0;
}

static long brk_to(struct ctx *c, unsigned long addr)
{
	unsigned long ret = FI_CALL(c, sys_brk(addr));

	if (ret == addr)
		return 0;
	c->err = ENOMEM;
	return -1;
}

static int setup_brk_grow(struct ctx *c)
{
	return setup_brk(c, 4);
}

static long op_brk_grow(struct ctx *c)
{
	return brk_to(c, c->top + 8 * page);
}

static int setup_brk_shrink(struct ctx *c)
{
	return setup_brk(c, 6);
}

static long op_brk_shrink(struct ctx *c)
{
	return brk_to(c, c->top + 4 * page);
}

/* ------------------------------------------------------------------ */
/* mprotect                                                             */
/* ------------------------------------------------------------------ */

static long mprotect_ro(struct ctx *c, long lo, long hi)
{
	return FI_CALL(c, mprotect(pg(c, lo), (hi - lo) * page, RO));
}

/* 0..4 r, 4..8 rw */
static int setup_r_rw(struct ctx *c)
{
	if (anon(c, 0, 8) || prot(c, 0, 4, RO))
		return -1;
	return 0;
}

/* 0..4 rw, 4..8 r */
static int setup_rw_r(struct ctx *c)
{
	if (anon(c, 0, 8) || prot(c, 4, 8, RO))
		return -1;
	return 0;
}

/* 0..4 r, 4..8 rw, 8..12 r */
static int setup_r_rw_r(struct ctx *c)
{
	if (anon(c, 0, 12) || prot(c, 0, 4, RO) || prot(c, 8, 12, RO))
		return -1;
	return 0;
}

static long op_mprotect_4_6(struct ctx *c)
{
	return mprotect_ro(c, 4, 6);
}

static long op_mprotect_2_4(struct ctx *c)
{
	return mprotect_ro(c, 2, 4);
}

static long op_mprotect_4_8(struct ctx *c)
{
	return mprotect_ro(c, 4, 8);
}

static int setup_file_r_rw_r(struct ctx *c)
{
	if (memfd(c, 12) || map_file(c, 0, 12, RW, 0))
		return -1;
	fill(c, 0, 12);
	if (prot(c, 0, 4, RO) || prot(c, 8, 12, RO))
		return -1;
	return 0;
}

static int setup_shm_0_4(struct ctx *c)
{
	int ret = shm(c, 4, pg(c, 0));

	if (ret)
		return ret;
	fill(c, 0, 4);
	return 0;
}

static long op_mprotect_0_1(struct ctx *c)
{
	return mprotect_ro(c, 0, 1);
}

/* ------------------------------------------------------------------ */
/* mremap                                                               */
/* ------------------------------------------------------------------ */

static long mremap_to(struct ctx *c, long lo, long hi, long len, int flags,
		      long dst)
{
	char *want = flags & MREMAP_FIXED ? pg(c, dst) : pg(c, lo);
	long rc = FI_CALL(c, mremap(pg(c, lo), (hi - lo) * page, len * page,
				    flags, pg(c, dst)));

	if (rc == (long)MAP_FAILED)
		return -1;
	if (rc != (long)want)
		bad(c, "mremap returned %#lx, expected %p", rc, want);
	return 0;
}

static int setup_0_4_noreserve(struct ctx *c)
{
	if (map_anon(c, 0, 4, RW, MAP_NORESERVE))
		return -1;
	fill(c, 0, 4);
	return 0;
}

static long op_mremap_expand(struct ctx *c)
{
	return mremap_to(c, 0, 4, 8, 0, 0);
}

static int setup_0_8(struct ctx *c)
{
	return anon(c, 0, 8);
}

static long op_mremap_shrink(struct ctx *c)
{
	return mremap_to(c, 0, 8, 4, 0, 0);
}

static int setup_move_middle(struct ctx *c)
{
	c->mv_src = 4;
	c->mv_dst = 24;
	c->mv_n = 4;
	return anon(c, 0, 16);
}

static long op_mremap_move_middle(struct ctx *c)
{
	return mremap_to(c, 4, 8, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 24);
}

/*
 * Setup moves pages src..src+n to dst..: the op moves them back, so the
 * case expects them at src again.
 */
static int move_away(struct ctx *c, long src, long dst, long n)
{
	if (mremap(pg(c, src), n * page, n * page,
		   MREMAP_MAYMOVE | MREMAP_FIXED, pg(c, dst)) != pg(c, dst))
		return setup_fail(c, "mremap");
	move_pat(c, src, dst, n);
	c->mv_src = dst;
	c->mv_dst = src;
	c->mv_n = n;
	return 0;
}

static int setup_move_back(struct ctx *c)
{
	if (anon(c, 0, 16))
		return -1;
	return move_away(c, 4, 24, 4);
}

static long op_mremap_move_back(struct ctx *c)
{
	return mremap_to(c, 24, 28, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 4);
}

static int setup_dontunmap(struct ctx *c)
{
	c->mv_src = 0;
	c->mv_dst = 8;
	c->mv_n = 4;
	c->mv_zero = 1;
	return anon(c, 0, 4);
}

static long op_mremap_dontunmap(struct ctx *c)
{
	return mremap_to(c, 0, 4, 4,
			 MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, 8);
}

/*
 * Written and unwritten anonymous VMAs side by side, which merge since
 * patch 0045 (upstream 879bca0a2c4f): the VMA that takes the written
 * range is given its anon_vma, an anon_vma_chain allocation of its own.
 */

/*
 * ro 0..4 and 8..12 unwritten, rw 4..8 written.  MAP_NORESERVE: kernels
 * since 6.2 drop VM_ACCOUNT from the unwritten parts made read-only.
 */
static int setup_r_rww_r(struct ctx *c)
{
	if (map_anon(c, 0, 12, RW, MAP_NORESERVE) || prot(c, 0, 4, RO) ||
	    prot(c, 8, 12, RO))
		return -1;
	fill_always(c, 4, 8);
	return 0;
}

/* 0..4 written, 8..12 unwritten: the op expands 0..4 up to 8..12. */
static int setup_written_hole_unwritten(struct ctx *c)
{
	if (map_anon(c, 0, 4, RW, 0) || map_anon(c, 8, 12, RW, 0))
		return -1;
	fill_always(c, 0, 4);
	return 0;
}

/*
 * 0..4 written and moved to 24..28, then 4..8 mapped unwritten: the op
 * moves the pages back in front of it, at their old page offsets.
 */
static int setup_move_back_unwritten_next(struct ctx *c)
{
	if (map_anon(c, 0, 4, RW, 0))
		return -1;
	fill_always(c, 0, 4);
	if (move_away(c, 0, 24, 4))
		return -1;
	return map_anon(c, 4, 8, RW, 0);
}

static long op_mremap_move_back_0(struct ctx *c)
{
	return mremap_to(c, 24, 28, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 0);
}

/* The same with MREMAP_DONTUNMAP (upstream 61f67c230a5e's sequence). */
static int setup_dontunmap_back_unwritten_next(struct ctx *c)
{
	if (setup_move_back_unwritten_next(c))
		return -1;
	c->mv_zero = 1;
	return 0;
}

static long op_mremap_dontunmap_back_0(struct ctx *c)
{
	return mremap_to(c, 24, 28, 4,
			 MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, 0);
}

/* ------------------------------------------------------------------ */
/* madvise                                                              */
/* ------------------------------------------------------------------ */

static long op_dontfork_4_8(struct ctx *c)
{
	return FI_CALL(c, madvise(pg(c, 4), 4 * page, MADV_DONTFORK));
}

static int setup_dontfork_4_8(struct ctx *c)
{
	if (anon(c, 0, 12) || advise(c, 4, 8, MADV_DONTFORK))
		return -1;
	return 0;
}

static long op_dofork_4_8(struct ctx *c)
{
	return FI_CALL(c, madvise(pg(c, 4), 4 * page, MADV_DOFORK));
}

static int setup_random_0_4(struct ctx *c)
{
	if (anon(c, 0, 8) || advise(c, 0, 4, MADV_RANDOM))
		return -1;
	return 0;
}

static long op_random_4_6(struct ctx *c)
{
	return FI_CALL(c, madvise(pg(c, 4), 2 * page, MADV_RANDOM));
}

/* ------------------------------------------------------------------ */
/* mlock                                                                */
/* ------------------------------------------------------------------ */

/*
 * Lock lo..hi.  In the unfaulted variants with MLOCK_ONFAULT, which
 * does not populate: a populated VMA would get an anon_vma of its own,
 * and 6.1 does not merge it back into a neighbour that has none.
 */
static int lock(struct ctx *c, long lo, long hi)
{
	if (c->tc->flags & F_FAULTED) {
		if (mlock(pg(c, lo), (hi - lo) * page))
			return setup_fail(c, "mlock");
	} else if (mlock2(pg(c, lo), (hi - lo) * page, MLOCK_ONFAULT)) {
		return setup_fail(c, "mlock2(MLOCK_ONFAULT)");
	}
	return 0;
}

static long op_mlock_4_8(struct ctx *c)
{
	return FI_CALL(c, mlock(pg(c, 4), 4 * page));
}

static int setup_locked_4_8(struct ctx *c)
{
	if (anon(c, 0, 12) || lock(c, 4, 8))
		return -1;
	return 0;
}

static long op_munlock_4_8(struct ctx *c)
{
	return FI_CALL(c, munlock(pg(c, 4), 4 * page));
}

/* 0..4 rw locked, 4..8 rw, 8..12 r */
static int setup_mlockall(struct ctx *c)
{
	if (anon(c, 0, 12) || prot(c, 8, 12, RO) || lock(c, 0, 4))
		return -1;
	return 0;
}

static long op_mlockall(struct ctx *c)
{
	return FI_CALL(c, mlockall(MCL_CURRENT));
}

/* 0..4 rw locked, 4..8 rw, 8..12 r locked */
static int setup_munlockall(struct ctx *c)
{
	if (anon(c, 0, 12) || prot(c, 8, 12, RO) || lock(c, 0, 4) ||
	    lock(c, 8, 12))
		return -1;
	return 0;
}

static long op_munlockall(struct ctx *c)
{
	return FI_CALL(c, munlockall());
}

/* ------------------------------------------------------------------ */
/* mbind                                                                */
/* ------------------------------------------------------------------ */

static long sys_mbind(void *addr, unsigned long len, int mode,
		      const unsigned long *nodes, unsigned long maxnode)
{
	return syscall(SYS_mbind, addr, len, mode, nodes, maxnode, 0);
}

static long op_mbind_bind(struct ctx *c)
{
	unsigned long nodes = 1;	/* node 0 */

	return FI_CALL(c, sys_mbind(pg(c, 4), 4 * page, MPOL_BIND, &nodes,
				    8 * sizeof(nodes) + 1));
}

static int setup_bound_4_8(struct ctx *c)
{
	unsigned long nodes = 1;

	if (anon(c, 0, 12))
		return -1;
	if (sys_mbind(pg(c, 4), 4 * page, MPOL_BIND, &nodes,
		      8 * sizeof(nodes) + 1))
		return setup_skip(c, "mbind");
	return 0;
}

static long op_mbind_default(struct ctx *c)
{
	return FI_CALL(c, sys_mbind(pg(c, 4), 4 * page, MPOL_DEFAULT, NULL, 0));
}

/* ------------------------------------------------------------------ */
/* prctl(PR_SET_VMA_ANON_NAME)                                          */
/* ------------------------------------------------------------------ */

static const char anon_name[] = "failinject";

static long op_name_4_8(struct ctx *c)
{
	size_t i;

	for (i = 0; i < sizeof(anon_name); i++)	/* fault it in */
		(void)*(volatile const char *)&anon_name[i];
	return FI_CALL(c, prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, pg(c, 4),
				4 * page, anon_name));
}

static int setup_named_4_8(struct ctx *c)
{
	if (anon(c, 0, 12))
		return -1;
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, pg(c, 4), 4 * page,
		  anon_name))
		return setup_skip(c, "prctl(PR_SET_VMA_ANON_NAME)");
	return 0;
}

static long op_unname_4_8(struct ctx *c)
{
	return FI_CALL(c, prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, pg(c, 4),
				4 * page, NULL));
}

/* ------------------------------------------------------------------ */
/* userfaultfd                                                          */
/* ------------------------------------------------------------------ */

static int uffd_open(struct ctx *c)
{
	struct uffdio_api api = { .api = UFFD_API };

	c->fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (c->fd < 0)
		return setup_skip(c, "userfaultfd");
	if (ioctl(c->fd, UFFDIO_API, &api))
		return setup_skip(c, "UFFDIO_API");
	return 0;
}

static int uffd_register(struct ctx *c, long lo, long hi)
{
	struct uffdio_register r = {
		.range = { (unsigned long)pg(c, lo), (hi - lo) * page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (ioctl(c->fd, UFFDIO_REGISTER, &r))
		return setup_skip(c, "UFFDIO_REGISTER");
	return 0;
}

static int setup_uffd_0_8(struct ctx *c)
{
	if (anon(c, 0, 8))
		return -1;
	return uffd_open(c);
}

/* 0..4, 4..8 registered */
static int setup_uffd_reg_4_8(struct ctx *c)
{
	int ret = setup_uffd_0_8(c);

	return ret ? ret : uffd_register(c, 4, 8);
}

static long op_uffd_register(struct ctx *c, long lo, long hi)
{
	struct uffdio_register r = {
		.range = { (unsigned long)pg(c, lo), (hi - lo) * page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return FI_CALL(c, ioctl(c->fd, UFFDIO_REGISTER, &r));
}

static long op_uffd_register_4_8(struct ctx *c)
{
	return op_uffd_register(c, 4, 8);
}

static long op_uffd_register_0_4(struct ctx *c)
{
	return op_uffd_register(c, 0, 4);
}

static long op_uffd_unregister_4_8(struct ctx *c)
{
	struct uffdio_range r = { (unsigned long)pg(c, 4), 4 * page };

	return FI_CALL(c, ioctl(c->fd, UFFDIO_UNREGISTER, &r));
}

static long op_uffd_close(struct ctx *c)
{
	long rc = FI_CALL(c, close(c->fd));

	c->fd = -1;
	return rc;
}

/*
 * After UFFDIO_UNREGISTER or close(): no page is left registered, every
 * page can be read (alarm() turns a hang into a failure), and fork(),
 * which copies the VMAs' userfaultfd context, works.
 */
static void after_uffd_clear(struct ctx *c, long rc)
{
	const struct layout *l = &c->rep->post;
	const struct vent *v;
	int status;
	pid_t pid;
	long i;

	for (i = 0; rc == 0 && i < 8; i++) {
		v = vent_at(l, i);
		if (v && strstr(v->flags, "um")) {
			bad(c, "page %ld still registered (VmFlags %s)", i,
			    v->flags);
			break;
		}
	}
	alarm(10);
	touch_range(c, l, 0, 8);
	alarm(60);
	pid = fork();
	if (pid < 0) {
		bad(c, "fork after the op: %s", strerror(errno));
		return;
	}
	if (!pid)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		bad(c, "child forked after the op: status %#x", status);
}

/* ------------------------------------------------------------------ */
/* fork, shmat, execve                                                  */
/* ------------------------------------------------------------------ */

/* 0..4 rw and 4..8 r anon, 12..16 memfd, 20..24 SysV shm: all filled. */
static int setup_mixed(struct ctx *c)
{
	int ret;

	if (anon(c, 0, 8) || prot(c, 4, 8, RO))
		return -1;
	if (memfd(c, 4) || map_file(c, 12, 16, RW, 0))
		return -1;
	fill(c, 12, 16);
	ret = shm(c, 4, pg(c, 20));
	if (ret)
		return ret;
	fill(c, 20, 24);
	return 0;
}

static long op_fork(struct ctx *c)
{
	int status;
	pid_t pid;

	fi_arm(c);
	pid = fork();
	if (!pid)	/* never touch the parent's fail-nth file here */
		_exit(check_data(c, &c->rep->pre, 0, 1) ? 1 : 0);
	c->err = errno;
	fi_disarm(c);
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		bad(c, "the forked child found wrong data or died: status %#x",
		    status);
	return 0;
}

static int setup_shmat(struct ctx *c)
{
	int ret;
	long i;

	if (anon(c, 0, 4))
		return -1;
	ret = shm(c, 4, scratch(c));
	if (ret)
		return ret;
	for (i = 4; i < 8; i++) {
		put_pattern(c, scratch(c) + (i - 4) * page, i);
		c->pat[i] = i;
	}
	return 0;
}

static long op_shmat(struct ctx *c)
{
	long rc = FI_CALL(c, shmat(c->shmid, pg(c, 4), 0));

	if (rc == -1)
		return -1;
	if (rc != (long)pg(c, 4))
		bad(c, "shmat returned %#lx, expected %p", rc, pg(c, 4));
	return 0;
}

static int setup_shmdt(struct ctx *c)
{
	int ret;

	if (anon(c, 0, 4))
		return -1;
	ret = shm(c, 4, pg(c, 4));
	if (ret)
		return ret;
	fill(c, 4, 8);
	return 0;
}

static long op_shmdt(struct ctx *c)
{
	return FI_CALL(c, shmdt(pg(c, 4)));
}

/*
 * This program, as /proc/self/exe names it: execve_mixed execs the file
 * by its path, so that an allocation that fails in procfs while it
 * resolves /proc/self/exe (ENOENT) is not counted against execve.
 */
static char exe_path[4096] = "/proc/self/exe";

/*
 * execve: a grandchild arms its own fail-nth and execs this program
 * with --exec-child, which exits 0 at once.  The new address space is
 * randomized, and with it the number of page tables exec allocates
 * (and whether setup_arg_pages() moves the stack, which only a random
 * stack top makes it do): an nth may not hit the same allocation at
 * every run.  Whether the fault was
 * consumed (by execve, or by what follows it up to the exit) is read
 * from the grandchild's fail-nth while it is a zombie.
 */
static void __attribute__((noreturn)) exec_grandchild(struct ctx *c)
{
	const char *path = exe_path;
	char a0[] = "failinject", a1[] = "--exec-child";
	char *argv[] = { a0, a1, NULL }, *envp[] = { NULL };
	struct report *r = c->rep;
	size_t i;

	if (c->nth && fi_open(c)) {
		r->gc_err = errno;
		_exit(4);
	}
	for (i = 0; i <= strlen(path); i++)
		(void)*(volatile const char *)&path[i];
	prefault_stack();
	FI_CALL(c, execve(path, argv, envp));
	r->gc_err = c->err;
	r->gc_injected = c->injected;
	r->gc_done = 1;
	_exit(3);
}

static long op_execve(struct ctx *c)
{
	struct report *r = c->rep;
	char path[64], buf[32];
	siginfo_t si;
	int status, injected = 0;
	pid_t pid;

	r->gc_done = 0;
	pid = fork();
	if (pid < 0) {
		bad(c, "fork: %s", strerror(errno));
		return 0;
	}
	if (!pid)
		exec_grandchild(c);
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT)) {
		bad(c, "waitid: %s", strerror(errno));
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/fail-nth", pid);
	if (c->nth) {
		if (read_file(path, buf, sizeof(buf)) < 0)
			bad(c, "cannot read %s: %s", path, strerror(errno));
		else
			injected = strtoul(buf, NULL, 10) == 0;
	}
	waitpid(pid, &status, 0);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		c->injected = injected;
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && r->gc_done) {
		c->injected = r->gc_injected;
		c->err = r->gc_err;
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		bad(c, "grandchild cannot open fail-nth: %s", strerror(r->gc_err));
		return 0;
	}
	/*
	 * Died after the point of no return (SIGSEGV or SIGKILL from
	 * execve), or the new program failed under the fault: allowed if
	 * a fault was injected.
	 */
	if (injected) {
		c->injected = 1;
		r->post_exec = 1;
		c->err = 0;
		if (WIFSIGNALED(status))
			snprintf(r->msg, sizeof(r->msg), "killed by signal %d",
				 WTERMSIG(status));
		else
			snprintf(r->msg, sizeof(r->msg), "exit %d",
				 WEXITSTATUS(status));
		return -1;
	}
	bad(c, "exec'd child died without an injected fault: status %#x",
	    status);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The case table                                                       */
/* ------------------------------------------------------------------ */

/* An anonymous case in its two variants: pages not faulted in, and all. */
#define ANON2(n, s, setup, op, after, errs, flags, want)		\
	{ n "_unfaulted", s, setup, op, after, errs, flags, want, 0 },	\
	{ n "_faulted", s, setup, op, after, errs, (flags) | F_FAULTED, want, 0 }

#define NOMEM		E_NOMEM
#define NOMEM_AGAIN	(E_NOMEM | E_AGAIN)

static const struct fi_case cases[] = {
	/* mmap */
	ANON2("mmap_merge_left", "mmap", setup_0_4, op_mmap_4_8, NULL,
	      NOMEM, 0, 1),
	ANON2("mmap_merge_right", "mmap", setup_4_8, op_mmap_0_4, NULL,
	      NOMEM, 0, 1),
	ANON2("mmap_merge_both", "mmap", setup_hole, op_mmap_4_8, NULL,
	      NOMEM, 0, 1),
	ANON2("mmap_replace_middle", "mmap", setup_replace, op_mmap_4_8, NULL,
	      NOMEM, F_HOLE, 1),
	ANON2("mmap_hint_merge_left", "mmap", setup_0_4, op_mmap_hint, NULL,
	      NOMEM, 0, 1),
	{ "mmap_file_merge_both", "mmap", setup_file_hole, op_mmap_file_4_8,
	  NULL, NOMEM, F_FAULTED, 1, 0 },
	/* munmap */
	ANON2("munmap_middle", "munmap", setup_0_12, op_munmap_4_8, NULL,
	      NOMEM, 0, 2),
	ANON2("munmap_whole_vma", "munmap", setup_three, op_munmap_4_8, NULL,
	      NOMEM, 0, 2),
	ANON2("munmap_span_three", "munmap", setup_three, op_munmap_2_10, NULL,
	      NOMEM, 0, 2),
	/* brk */
	{ "brk_grow", "brk", setup_brk_grow, op_brk_grow, NULL, NOMEM,
	  F_FAULTED, 1, 0 },
	{ "brk_shrink", "brk", setup_brk_shrink, op_brk_shrink, NULL, NOMEM,
	  F_FAULTED, 1, 0 },
	/* mprotect */
	ANON2("mprotect_merge_left", "mprotect", setup_r_rw, op_mprotect_4_6,
	      NULL, NOMEM, 0, 2),
	ANON2("mprotect_merge_right", "mprotect", setup_rw_r, op_mprotect_2_4,
	      NULL, NOMEM, 0, 2),
	ANON2("mprotect_merge_both", "mprotect", setup_r_rw_r, op_mprotect_4_8,
	      NULL, NOMEM, 0, 1),
	ANON2("mprotect_middle", "mprotect", setup_0_12, op_mprotect_4_8, NULL,
	      NOMEM, 0, 3),
	{ "mprotect_file_merge_both", "mprotect", setup_file_r_rw_r,
	  op_mprotect_4_8, NULL, NOMEM, F_FAULTED, 1, 0 },
	{ "mprotect_shm_partial", "mprotect", setup_shm_0_4, op_mprotect_0_1,
	  NULL, NOMEM, F_FAULTED, 2, 0 },
	/* mremap */
	ANON2("mremap_expand", "mremap", setup_0_4, op_mremap_expand, NULL,
	      NOMEM, 0, 1),
	ANON2("mremap_expand_noreserve", "mremap", setup_0_4_noreserve,
	      op_mremap_expand, NULL, NOMEM, 0, 1),
	ANON2("mremap_expand_merge_next", "mremap", setup_hole,
	      op_mremap_expand, NULL, NOMEM, 0, 1),
	ANON2("mremap_shrink", "mremap", setup_0_8, op_mremap_shrink, NULL,
	      NOMEM, 0, 1),
	ANON2("mremap_move_middle", "mremap", setup_move_middle,
	      op_mremap_move_middle, NULL, NOMEM, F_UNMAP_MAY_FAIL, 3),
	ANON2("mremap_move_back_merge", "mremap", setup_move_back,
	      op_mremap_move_back, NULL, NOMEM, F_UNMAP_MAY_FAIL, 1),
	ANON2("mremap_dontunmap", "mremap", setup_dontunmap,
	      op_mremap_dontunmap, NULL, NOMEM, 0, 2),
	/* written and unwritten anonymous VMAs */
	{ "mprotect_written_merge_unwritten_both", "mprotect", setup_r_rww_r,
	  op_mprotect_4_8, NULL, NOMEM, 0, 1, 3 },
	{ "mremap_expand_written_merge_unwritten_next", "mremap",
	  setup_written_hole_unwritten, op_mremap_expand, NULL, NOMEM, 0, 1,
	  2 },
	{ "mremap_move_back_written_merge_unwritten_next", "mremap",
	  setup_move_back_unwritten_next, op_mremap_move_back_0, NULL, NOMEM,
	  F_UNMAP_MAY_FAIL, 1, 2 },
	{ "mremap_dontunmap_back_written_merge_unwritten_next", "mremap",
	  setup_dontunmap_back_unwritten_next, op_mremap_dontunmap_back_0,
	  NULL, NOMEM, 0, 2, 3 },
	/* madvise */
	ANON2("madvise_dontfork_middle", "madvise", setup_0_12,
	      op_dontfork_4_8, NULL, NOMEM_AGAIN, 0, 3),
	ANON2("madvise_dofork_merge_both", "madvise", setup_dontfork_4_8,
	      op_dofork_4_8, NULL, NOMEM_AGAIN, 0, 1),
	ANON2("madvise_random_merge_left", "madvise", setup_random_0_4,
	      op_random_4_6, NULL, NOMEM_AGAIN, 0, 2),
	/* mlock */
	ANON2("mlock_middle", "mlock", setup_0_12, op_mlock_4_8, NULL,
	      NOMEM_AGAIN, 0, 3),
	ANON2("munlock_merge_both", "munlock", setup_locked_4_8,
	      op_munlock_4_8, NULL, NOMEM_AGAIN, 0, 1),
	ANON2("mlockall_merge", "mlockall", setup_mlockall, op_mlockall, NULL,
	      NOMEM_AGAIN, 0, 2),
	ANON2("munlockall_merge", "munlockall", setup_munlockall,
	      op_munlockall, NULL, NOMEM_AGAIN, 0, 2),
	/* mbind */
	ANON2("mbind_middle", "mbind", setup_0_12, op_mbind_bind, NULL,
	      NOMEM, F_NUMA | F_SKIPOK, 3),
	ANON2("mbind_default_merge_both", "mbind", setup_bound_4_8,
	      op_mbind_default, NULL, NOMEM, F_NUMA | F_SKIPOK, 1),
	/* prctl */
	ANON2("prctl_anon_name_middle", "prctl", setup_0_12, op_name_4_8,
	      NULL, NOMEM_AGAIN, F_SKIPOK, 3),
	ANON2("prctl_anon_name_clear_merge_both", "prctl", setup_named_4_8,
	      op_unname_4_8, NULL, NOMEM_AGAIN, F_SKIPOK, 1),
	/* userfaultfd */
	ANON2("uffd_register_tail", "uffdio_register", setup_uffd_0_8,
	      op_uffd_register_4_8, NULL, NOMEM, F_SKIPOK, 2),
	ANON2("uffd_register_whole_merge", "uffdio_register",
	      setup_uffd_reg_4_8, op_uffd_register_0_4, NULL, NOMEM,
	      F_SKIPOK, 1),
	ANON2("uffd_unregister_merge", "uffdio_unregister",
	      setup_uffd_reg_4_8, op_uffd_unregister_4_8, after_uffd_clear,
	      NOMEM, F_SKIPOK, 1),
	ANON2("uffd_close_merge", "close_uffd", setup_uffd_reg_4_8,
	      op_uffd_close, after_uffd_clear, NOMEM, F_SKIPOK, 1),
	/* fork, SysV shm, execve */
	{ "fork_mixed", "fork", setup_mixed, op_fork, NULL, NOMEM_AGAIN,
	  F_FAULTED, 4, 0 },
	{ "shmat_after_anon", "shmat", setup_shmat, op_shmat, NULL, NOMEM,
	  F_FAULTED, 2, 0 },
	{ "shmdt_after_anon", "shmdt", setup_shmdt, op_shmdt, NULL, NOMEM,
	  F_FAULTED | F_UNMAP_MAY_FAIL, 1, 0 },
	/*
	 * execve reports some failed allocations with other errnos:
	 * copy_strings() with E2BIG when it cannot get an argument page,
	 * load_elf_binary() with ENOEXEC when it cannot allocate the
	 * program headers.
	 */
	{ "execve_mixed", "execve", setup_mixed, op_execve, NULL,
	  E_NOMEM | E_2BIG | E_NOEXEC, F_FAULTED | F_EXEC, 4, 0 },
};

/*
 * Does the running kernel have the stack?  Its mm/vma.c has
 * vma_modify_flags(), which 6.1 has not (as tools/kselftest/check-merge.sh
 * tells them apart).  Read before the first case, as root.
 */
static int stack_kernel = -1;

static int kernel_has_stack(void)
{
	char line[256];
	FILE *f;

	if (stack_kernel >= 0)
		return stack_kernel;
	stack_kernel = 0;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return stack_kernel;
	while (fgets(line, sizeof(line), f)) {
		char *name = strrchr(line, ' ');

		if (name && !strcmp(name, " vma_modify_flags\n")) {
			stack_kernel = 1;
			break;
		}
	}
	fclose(f);
	return stack_kernel;
}

/* The VMAs a case leaves in its region on this kernel. */
static int case_want(const struct fi_case *tc)
{
	return tc->want_61 && !kernel_has_stack() ? tc->want_61 : tc->want;
}

static int errno_allowed(unsigned int errs, int e)
{
	return (e == ENOMEM && (errs & E_NOMEM)) ||
	       (e == EAGAIN && (errs & E_AGAIN)) ||
	       (e == E2BIG && (errs & E_2BIG)) ||
	       (e == ENOEXEC && (errs & E_NOEXEC));
}

/* ------------------------------------------------------------------ */
/* The children                                                         */
/* ------------------------------------------------------------------ */

static int layout_differs(const struct ctx *c, const struct layout *a,
			  const struct layout *b, long *page_out)
{
	long i;

	for (i = 0; i < c->span; i++) {
		if (!same_page(a, b, i)) {
			*page_out = i;
			return 1;
		}
	}
	return a->n != b->n ? 2 : 0;
}

/* Compare the region after the op with the reference run. */
static void check_layout(struct ctx *c, long rc)
{
	const struct layout *ref_pre = &sh->ref.pre, *ref_post = &sh->ref.post;
	struct report *r = c->rep;
	const struct layout *l = &r->post;
	char now[256], pre[256], post[256];
	long i;

	if (rc == 0) {
		for (i = 0; i < c->span; i++) {
			if (same_page(l, ref_post, i))
				continue;
			if ((c->tc->flags & F_UNMAP_MAY_FAIL) && c->injected &&
			    same_page(l, ref_pre, i)) {
				r->kept = 1;
				continue;
			}
			fmt_page(l, i, now, sizeof(now));
			fmt_page(ref_post, i, post, sizeof(post));
			bad(c, "succeeded, but page %ld is %s, reference %s",
			    i, now, post);
			return;
		}
		if (r->kept)
			return;
		if (l->n > ref_post->n) {
			if (c->injected)
				r->unmerged = 1;
			else
				bad(c, "no fault injected, but %d VMAs where the reference has %d",
				    l->n, ref_post->n);
		} else if (l->n < ref_post->n) {
			bad(c, "%d VMAs, more merged than the reference (%d)",
			    l->n, ref_post->n);
		}
		return;
	}
	for (i = 0; i < c->span; i++) {
		if (same_page(l, ref_pre, i) || same_page(l, ref_post, i))
			continue;
		if ((c->tc->flags & F_HOLE) && i >= c->hole_lo &&
		    i < c->hole_hi && !vent_at(l, i))
			continue;
		fmt_page(l, i, now, sizeof(now));
		fmt_page(ref_pre, i, pre, sizeof(pre));
		fmt_page(ref_post, i, post, sizeof(post));
		bad(c, "failed, and page %ld is %s: neither as before (%s) nor after (%s)",
		    i, now, pre, post);
		return;
	}
}

/*
 * One run of a case in a child of the parent: the reference run
 * (nth == 0) or the attempt with the fault armed at @nth.  Reports to
 * the shared area and exits.
 */
static void __attribute__((noreturn))
child_run(const struct fi_case *tc, int num, unsigned int nth,
	  struct report *r)
{
	static struct ctx c;
	long rc, i, d;
	int ret;

	memset(&c, 0, sizeof(c));
	c.tc = tc;
	c.num = num;
	c.rep = r;
	c.base = (char *)(REGION_BASE + num * REGION_STRIDE);
	c.span = SPAN;
	c.fd = -1;
	c.fi_fd = -1;
	c.mif_fd = -1;
	for (i = 0; i < MAX_PAGES; i++)
		c.pat[i] = NO_DATA;
	alarm(60);

	if (nth && !(tc->flags & F_EXEC) && fi_open(&c)) {
		bad(&c, "cannot open /proc/thread-self/fail-nth: %s",
		    strerror(errno));
		r->done = 1;
		_exit(0);
	}
	ret = tc->setup(&c);
	if (ret > 0 && nth) {
		snprintf(c.scratch, sizeof(c.scratch), "%s", r->msg);
		r->msg[0] = '\0';
		bad(&c, "setup: %s (but not in the reference run)", c.scratch);
	}
	if (ret) {
		r->skip = ret > 0 && !nth;
		r->done = 1;
		_exit(0);
	}
	if (snapshot(&c, &r->pre)) {
		r->done = 1;
		_exit(0);
	}
	if (nth && (ret = layout_differs(&c, &r->pre, &sh->ref.pre, &d))) {
		char now[256], ref[256];

		if (ret == 1) {
			fmt_page(&r->pre, d, now, sizeof(now));
			fmt_page(&sh->ref.pre, d, ref, sizeof(ref));
		} else {
			snprintf(now, sizeof(now), "%d VMAs", r->pre.n);
			snprintf(ref, sizeof(ref), "%d", sh->ref.pre.n);
		}
		bad(&c, "the setup made a layout that differs from the reference's: page %ld %s, reference %s",
		    ret == 1 ? d : -1, now, ref);
		r->done = 1;
		_exit(0);
	}

	prefault_stack();
	c.nth = nth;
	rc = tc->op(&c);
	c.nth = 0;
	r->rc = rc;
	r->err = rc < 0 ? c.err : 0;
	r->injected = c.injected;

	check_maps(&c);
	if (snapshot(&c, &r->post)) {
		r->done = 1;
		_exit(0);
	}
	if (!nth) {
		if (rc < 0 && !r->post_exec) {
			if ((tc->flags & F_SKIPOK) &&
			    (c.err == EINVAL || c.err == ENOSYS ||
			     c.err == EPERM || c.err == EOPNOTSUPP)) {
				snprintf(r->msg, sizeof(r->msg),
					 "%s: %s", tc->sys, strerror(c.err));
				r->skip = 1;
				r->done = 1;
				_exit(0);
			}
			bad(&c, "reference run failed: %s", ename(c.err));
		} else if (r->post.n != case_want(tc)) {
			bad(&c, "reference layout has %d VMAs, expected %d%s",
			    r->post.n, case_want(tc),
			    case_want(tc) != tc->want ?
			    " (6.1 without the stack)" : "");
		}
	} else if (!r->post_exec) {
		check_layout(&c, rc);
	}
	check_data(&c, &r->post, rc == 0, 0);
	if (tc->after)
		tc->after(&c, rc);
	r->done = 1;
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent                                                           */
/* ------------------------------------------------------------------ */

struct sys_total {
	const char *sys;
	long faults;
};

static struct sys_total sys_totals[ARRAY_SIZE(cases)];
static long total_faults, total_failed, total_survived;
static int n_pass, n_fail, n_skip;

static void add_sys_faults(const char *sys, long faults)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sys_totals); i++) {
		if (!sys_totals[i].sys)
			sys_totals[i].sys = sys;
		if (!strcmp(sys_totals[i].sys, sys)) {
			sys_totals[i].faults += faults;
			return;
		}
	}
}

static int selected(const char *name)
{
	return !only || strstr(name, only);
}

/*
 * With -F, the cases that fork or exec are left out: the child would
 * inherit make-it-fail, and every allocation it made would fail.
 */
static int case_selected(const struct fi_case *tc)
{
	if (from_nth && (tc->op == op_fork || (tc->flags & F_EXEC)))
		return 0;
	return selected(tc->name);
}

/* Print a child's message, one "# " line per "; "-separated part. */
static void print_msg(const char *prefix, const char *msg)
{
	const char *s = msg, *e;

	while (*s) {
		e = strstr(s, "; ");
		if (!e)
			e = s + strlen(s);
		printf("# %s%.*s\n", prefix, (int)(e - s), s);
		s = *e ? e + 2 : e;
	}
}

static void print_layouts(const char *prefix, const struct report *r)
{
	static char buf[4096];

	fmt_layout(&r->pre, buf, sizeof(buf));
	printf("# %s pre:  %s\n", prefix, buf);
	fmt_layout(&r->post, buf, sizeof(buf));
	printf("# %s post: %s\n", prefix, buf);
}

/* Fork a child for one run and wait for it; 0 if it reported. */
static int run_child(const struct fi_case *tc, int num, unsigned int nth,
		     struct report *r, const char *what, struct base *b0,
		     struct base *b1)
{
	int status, failed = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	fflush(stdout);
	if (b0)
		base_read(b0);
	pid = fork();
	if (pid < 0) {
		printf("# %s: fork: %s\n", what, strerror(errno));
		return -1;
	}
	if (!pid)
		child_run(tc, num, nth, r);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (b1) {
		base_read(b1);
		failed += base_compare(b0, b1, what);
	}
	if (WIFSIGNALED(status)) {
		printf("# %s: the child was killed by signal %d (%s)%s\n", what,
		       WTERMSIG(status), strsignal(WTERMSIG(status)),
		       WTERMSIG(status) == SIGALRM ? ": it hung" : "");
		failed++;
	} else if (!r->done) {
		printf("# %s: the child exited %d without reporting\n", what,
		       WEXITSTATUS(status));
		failed++;
	}
	if (r->bad) {
		char prefix[200];

		snprintf(prefix, sizeof(prefix), "%s: ", what);
		print_msg(prefix, r->msg);
		failed++;
	}
	return failed ? -1 : 0;
}

/* Run one case: the reference, then the sweep.  1 if it passed. */
static int run_case(int test, const struct fi_case *tc, int num)
{
	struct base b0, b1;
	char what[160], counts[160];
	long faults = 0, failed = 0, survived = 0, unmerged = 0, post_exec = 0;
	long kept = 0;
	long nomem = 0, again = 0, e2big = 0, enoexec = 0;
	struct report *a = &sh->att;
	unsigned int nth;
	int ok = 1, done = 0, fail, splats;

	kmsg_mark("begin", tc->name);
	snprintf(what, sizeof(what), "%s reference", tc->name);
	if (run_child(tc, num, 0, &sh->ref, what,
		      no_inject ? NULL : &b0, no_inject ? NULL : &b1)) {
		ok = 0;
		if (sh->ref.done)
			print_layouts(what, &sh->ref);
		goto out;
	}
	if (sh->ref.skip) {
		kmsg_mark("end", tc->name);
		kmsg_scan();
		printf("ok %d %s%s # SKIP %s\n", test, tc->name, suffix,
		       sh->ref.msg);
		n_skip++;
		return 1;
	}
	print_layouts(what, &sh->ref);
	if (no_inject)
		goto out;

	for (nth = first_nth; !done; nth++) {
		if (nth > max_nth) {
			printf("# %s: no end to the sweep after %u attempts\n",
			       tc->name, max_nth);
			ok = 0;
			break;
		}
		snprintf(what, sizeof(what), "%s nth=%u", tc->name, nth);
		fail = run_child(tc, num, nth, a, what, &b0, &b1) != 0;
		if (!a->done) {
			/* run_child() said why */
		} else if (a->post_exec) {
			faults++;
			post_exec++;
			printf("# %s: died after the point of no return (%s)\n",
			       what, a->msg);
		} else if (!a->injected) {
			if (a->rc == 0) {
				done = 1;
			} else {
				printf("# %s: no fault injected, but the call failed: %s\n",
				       what, ename(a->err));
				fail = 1;
			}
		} else if (a->rc == 0) {
			faults++;
			survived++;
			unmerged += a->unmerged;
			kept += a->kept;
		} else if (!errno_allowed(tc->errs, a->err)) {
			faults++;
			printf("# %s: unexpected errno %s\n", what,
			       ename(a->err));
			fail = 1;
		} else {
			faults++;
			failed++;
			nomem += a->err == ENOMEM;
			again += a->err == EAGAIN;
			e2big += a->err == E2BIG;
			enoexec += a->err == ENOEXEC;
		}
		if (fail) {
			ok = 0;
			if (a->done && a->post_exec) {
				printf("# %s: the exec'd child died, fault injected\n",
				       what);
				print_layouts(what, a);
			} else if (a->done) {
				printf("# %s: the call returned %ld%s%s, %s\n",
				       what, a->rc, a->rc < 0 ? " " : "",
				       a->rc < 0 ? ename(a->err) : "",
				       a->injected ? "fault injected" :
				       "no fault injected");
				print_layouts(what, a);
			}
			break;
		}
	}

	snprintf(counts, sizeof(counts), " (ENOMEM %ld, EAGAIN %ld", nomem,
		 again);
	if (tc->errs & E_2BIG)
		snprintf(counts + strlen(counts), sizeof(counts) - strlen(counts),
			 ", E2BIG %ld", e2big);
	if (tc->errs & E_NOEXEC)
		snprintf(counts + strlen(counts), sizeof(counts) - strlen(counts),
			 ", ENOEXEC %ld", enoexec);
	strcat(counts, ")");
	printf("# %s: %ld faults injected, %ld failed%s, %ld succeeded anyway, %ld of those left a layout less merged than the reference",
	       tc->name, faults, failed, counts, survived, unmerged);
	if (tc->flags & F_EXEC)
		printf(", %ld died after the point of no return", post_exec);
	if (tc->flags & F_UNMAP_MAY_FAIL)
		printf(", %ld kept the old range mapped", kept);
	printf("\n");
	total_faults += faults;
	total_failed += failed;
	total_survived += survived;
	add_sys_faults(tc->sys, faults);
out:
	kmsg_mark("end", tc->name);
	splats = kmsg_scan();
	if (splats) {
		printf("# %s: %d console lines show a kernel problem\n",
		       tc->name, splats);
		ok = 0;
	}
	printf("%s %d %s%s\n", ok ? "ok" : "not ok", test, tc->name, suffix);
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-n] [-v] [-F] [-c NAME] [-s FIRST] [-m MAX]\n"
		"  -n       no fault injection: the reference runs only\n"
		"  -F       fail every slab allocation from the nth on\n"
		"  -v       the kernel logs every injected fault with its stack\n"
		"  -c NAME  run only the cases whose name contains NAME\n"
		"  -s FIRST the first nth to try (default 1)\n"
		"  -m MAX   the highest nth to try (default %u)\n",
		prog, DEFAULT_MAX_NTH);
	exit(status);
}

static void skip_all(const char *why)
{
	printf("KTAP version 1\n# SKIP %s\n1..0 # SKIP %s\n", why, why);
	exit(4);
}

int main(int argc, char **argv)
{
	static char desc[1024];
	struct base start, end;
	struct utsname u;
	unsigned int i;
	int c, n = 0, test = 0, drift_bad;
	char *endp;

	/* execve_mixed execs this program: nothing to do */
	if (argc == 2 && !strcmp(argv[1], "--exec-child"))
		return 0;

	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	page = sysconf(_SC_PAGESIZE);
	prefault_stack();

	while ((c = getopt(argc, argv, "nvFc:s:m:h")) != -1) {
		switch (c) {
		case 'n':
			no_inject = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'F':
			from_nth = 1;
			suffix = "_from";
			break;
		case 's':
			first_nth = strtoul(optarg, &endp, 0);
			if (*endp || !first_nth)
				usage(argv[0], 2);
			break;
		case 'c':
			only = optarg;
			break;
		case 'm':
			max_nth = strtoul(optarg, &endp, 0);
			if (*endp || !max_nth)
				usage(argv[0], 2);
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc)
		usage(argv[0], 2);

	if (!no_inject) {
		if (geteuid())
			skip_all("not root");
		if (access("/proc/thread-self/fail-nth", F_OK))
			skip_all("no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		if (access(DEBUGFS "failslab", F_OK))
			skip_all("no " DEBUGFS "failslab (CONFIG_FAILSLAB, debugfs)");
		if (knobs_setup(desc, sizeof(desc)))
			skip_all(desc);
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	kmsg_open();
	{
		ssize_t len = readlink("/proc/self/exe", exe_path,
				       sizeof(exe_path) - 1);

		if (len > 0)
			exe_path[len] = '\0';
		else
			strcpy(exe_path, "/proc/self/exe");
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		n += case_selected(&cases[i]);

	uname(&u);
	printf("KTAP version 1\n1..%d\n", n + 1);
	printf("# failinject on %s: page %lu, %s\n", u.release, page,
	       no_inject ? "reference runs only (-n)" :
	       from_nth ? "sweeping fail-nth, failing every slab allocation from the nth on (-F)" :
	       "sweeping fail-nth");
	printf("# %s\n", kernel_has_stack() ?
	       "the kernel has the stack (vma_modify_flags)" :
	       "the kernel has no vma_modify_flags: 6.1 without the stack");
	if (!no_inject) {
		printf("# %s\n", desc);
		printf("# max nth %u\n", max_nth);
		slab_probe();
	}
	kmsg_scan();
	grow_stack();
	if (!no_inject)
		settle();
	base_read(&start);

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (case_selected(&cases[i]))
			run_case(++test, &cases[i], i);

	base_read(&end);
	printf("# drift: Committed_AS %ld kB", end.committed - start.committed);
	for (i = 0; i < NR_SLABS; i++) {
		if (slab_ok[i])
			printf(", %s %ld", slab_names[i],
			       end.objects[i] - start.objects[i]);
		else
			printf(", %s -", slab_names[i]);
	}
	printf("\n");
	drift_bad = end.committed != start.committed;
	for (i = 0; i < NR_SLABS; i++)
		drift_bad |= slab_ok[i] && end.objects[i] != start.objects[i];
	test++;
	if (no_inject) {
		printf("ok %d failinject_drift%s # SKIP no fault injection (-n)\n",
		       test, suffix);
		n_skip++;
	} else if (drift_bad) {
		printf("not ok %d failinject_drift%s\n", test, suffix);
		n_fail++;
	} else {
		printf("ok %d failinject_drift%s\n", test, suffix);
		n_pass++;
	}

	for (i = 0; i < ARRAY_SIZE(sys_totals) && sys_totals[i].sys; i++)
		printf("# failinject: syscall %s: %ld faults\n",
		       sys_totals[i].sys, sys_totals[i].faults);
	printf("# failinject total: %ld faults injected, %ld calls failed cleanly, %ld survived, %ld console splats, drift Committed_AS %ld kB vm_area_struct %ld\n",
	       total_faults, total_failed, total_survived, console_splats,
	       end.committed - start.committed,
	       slab_ok[0] ? end.objects[0] - start.objects[0] : 0);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       n_pass, n_fail, n_skip);
	fflush(stdout);
	return n_fail ? 1 : 0;
}
