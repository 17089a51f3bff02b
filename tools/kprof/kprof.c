// SPDX-License-Identifier: GPL-2.0
/*
 * kprof: a QEMU TCG plugin that counts the kernel instructions a guest
 * executes, per translation block, in windows that the guest opens and
 * closes itself.
 *
 * Under icount, guest time is an instruction count, so the benchmarks of
 * make bench compare instructions.  This plugin says where they go: it
 * counts, for every translation block in the kernel half of the address
 * space, how often it ran while a window was open.  tools/kprof-report.py
 * then adds the blocks up by the function (System.map) they start in.
 * Nothing is added to the kernel, so the profile is of the very kernels
 * that make bench measures, and it is exact: no sampling, and no tracing
 * code in the counts.
 *
 * A window opens and closes each time the guest runs the block at
 * toggle=ADDR, the entry of a system call the profiled program makes at
 * the start and the end of each timed loop (vma-bench -p calls
 * sched_get_priority_max(-1), which nothing else in the guest calls).
 *
 * usage: qemu-system-x86_64 -plugin kprof.so,toggle=0x...,out=FILE ...
 * The output has one line per block and window it ran in:
 *
 *	WINDOW VADDR NINSNS COUNT
 *
 * and a first line "windows N".
 *
 * Built against QEMU 7.2's plugin ABI (version 1).  Only the calls below
 * are used; QEMU does not install its plugin header, so they are
 * declared here.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The QEMU plugin API, as far as kprof uses it. */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *udata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define KERNEL_HALF	0xffff800000000000ULL
#define MAX_WINDOWS	64
#define HASH_BITS	18

struct block {
	uint64_t vaddr;
	unsigned int ninsns;
	struct block *hash_next, *all_next;
	uint64_t count[MAX_WINDOWS];
};

static struct block *hash[1 << HASH_BITS];
static struct block *all;
static uint64_t toggle;
static const char *out = "kprof.out";
static int window = -1;		/* the open window, or -1 */
static int windows;		/* windows opened so far */
static int overflow;

static unsigned int hash_of(uint64_t vaddr, unsigned int ninsns)
{
	uint64_t h = (vaddr ^ ((uint64_t)ninsns << 40)) * 0x9e3779b97f4a7c15ULL;

	return h >> (64 - HASH_BITS);
}

/* One block per address and length: a block can be retranslated. */
static struct block *block_of(uint64_t vaddr, unsigned int ninsns)
{
	unsigned int h = hash_of(vaddr, ninsns);
	struct block *b;

	for (b = hash[h]; b; b = b->hash_next)
		if (b->vaddr == vaddr && b->ninsns == ninsns)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b) {
		qemu_plugin_outs("kprof: out of memory\n");
		abort();
	}
	b->vaddr = vaddr;
	b->ninsns = ninsns;
	b->hash_next = hash[h];
	hash[h] = b;
	b->all_next = all;
	all = b;
	return b;
}

static void on_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (window >= 0)
		b->count[window]++;
}

static void on_toggle(unsigned int vcpu, void *udata)
{
	if (window >= 0) {
		window = -1;
	} else if (windows < MAX_WINDOWS) {
		window = windows++;
	} else {
		overflow = 1;
	}
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (vaddr < KERNEL_HALF)
		return;
	if (vaddr == toggle)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_toggle,
						     QEMU_PLUGIN_CB_NO_REGS,
						     NULL);
	b = block_of(vaddr, qemu_plugin_tb_n_insns(tb));
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec,
					     QEMU_PLUGIN_CB_NO_REGS, b);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	FILE *f = fopen(out, "w");
	struct block *b;
	int w;

	if (!f) {
		qemu_plugin_outs("kprof: cannot write the output file\n");
		return;
	}
	fprintf(f, "windows %d%s\n", windows, overflow ? " overflow" : "");
	for (b = all; b; b = b->all_next)
		for (w = 0; w < windows; w++)
			if (b->count[w])
				fprintf(f, "%d %" PRIx64 " %u %" PRIu64 "\n", w,
					b->vaddr, b->ninsns, b->count[w]);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "toggle=", 7)) {
			toggle = strtoull(argv[i] + 7, NULL, 16);
		} else if (!strncmp(argv[i], "out=", 4)) {
			out = argv[i] + 4;
		} else {
			fprintf(stderr, "kprof: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	if (!toggle) {
		fprintf(stderr, "kprof: toggle=ADDR is needed\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
