/*
 * ctv_trace: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) for ct-verify's embedded
 * engines. Between two marker PCs it records every executed instruction address and every
 * memory access address, and writes them to a file when QEMU exits.
 *
 * Arguments (as `-plugin ctv_trace.so,start=0x...,end=0x...,out=PATH`):
 *   start  address of the first instruction of the start marker function
 *   end    address of the first instruction of the end marker function
 *   out    output file
 *   max    optional cap on recorded events (default 64M); past it the trace is truncated
 *
 * Output (little-endian): the header "CTVT" u32 version=1 u32 starts u32 truncated, then one
 * record per event: u32 kind (0 = instruction executed, 1 = load, 2 = store) and u32 address.
 * Recording turns on at `start` (that instruction included) and off at `end` (excluded);
 * `starts` counts how often the start marker ran.
 *
 * Only the documented plugin C API is used, through our own declarations below: Debian ships
 * QEMU 7.2 without its qemu-plugin.h. This file is part of ct-verify (MIT OR Apache-2.0).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Declarations of the QEMU plugin API, version 1 (see QEMU's docs/devel/tcg-plugins). */
#define CTV_EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t; /* only passed through */
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W = 2, QEMU_PLUGIN_MEM_RW = 3 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                                  qemu_plugin_vcpu_tb_trans_cb_t cb);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                        size_t idx);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                                   qemu_plugin_vcpu_udata_cb_t cb,
                                                   enum qemu_plugin_cb_flags flags,
                                                   void *userdata);
extern void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                             qemu_plugin_vcpu_mem_cb_t cb,
                                             enum qemu_plugin_cb_flags flags,
                                             enum qemu_plugin_mem_rw rw, void *userdata);
extern bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                           void *userdata);
extern void qemu_plugin_outs(const char *string);

CTV_EXPORT int qemu_plugin_version = 1;

/* ---- State. The boards are single-core, so no locking is needed. */
static uint64_t start_pc, end_pc;
static char *out_path;
static bool recording;
static uint32_t starts, truncated;
static uint32_t *events; /* pairs: kind, address */
static size_t n_events, cap_events, max_events = 64u << 20;

static void push(uint32_t kind, uint64_t addr)
{
    if (n_events >= max_events) {
        truncated = 1;
        return;
    }
    if (n_events == cap_events) {
        size_t cap = cap_events ? cap_events * 2 : 1u << 16;
        uint32_t *grown = realloc(events, cap * 2 * sizeof(uint32_t));
        if (!grown) {
            truncated = 1;
            return;
        }
        events = grown;
        cap_events = cap;
    }
    events[2 * n_events] = kind;
    events[2 * n_events + 1] = (uint32_t)addr;
    n_events++;
}

static void on_exec(unsigned int vcpu, void *udata)
{
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    (void)vcpu;
    if (pc == start_pc) {
        recording = true;
        starts++;
    } else if (pc == end_pc) {
        recording = false;
    }
    if (recording) {
        push(0, pc);
    }
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)udata;
    if (recording) {
        push(qemu_plugin_mem_is_store(info) ? 2 : 1, vaddr);
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        void *pc = (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_exec, QEMU_PLUGIN_CB_NO_REGS, pc);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, pc);
    }
}

static void put_u32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff};
    fwrite(b, 1, 4, f);
}

static void write_trace(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    FILE *f = fopen(out_path, "wb");
    if (!f) {
        qemu_plugin_outs("ctv_trace: cannot open the output file\n");
        return;
    }
    fwrite("CTVT", 1, 4, f);
    put_u32(f, 1);
    put_u32(f, starts);
    put_u32(f, truncated);
    for (size_t i = 0; i < 2 * n_events; i++) {
        put_u32(f, events[i]);
    }
    fclose(f);
}

CTV_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                                   int argc, char **argv)
{
    bool have_start = false, have_end = false;
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "start=", 6) == 0) {
            start_pc = strtoull(a + 6, NULL, 0);
            have_start = true;
        } else if (strncmp(a, "end=", 4) == 0) {
            end_pc = strtoull(a + 4, NULL, 0);
            have_end = true;
        } else if (strncmp(a, "out=", 4) == 0) {
            out_path = strdup(a + 4);
        } else if (strncmp(a, "max=", 4) == 0) {
            max_events = strtoull(a + 4, NULL, 0);
        } else {
            qemu_plugin_outs("ctv_trace: unknown argument\n");
            return -1;
        }
    }
    if (!have_start || !have_end || !out_path) {
        qemu_plugin_outs("ctv_trace: needs start=, end= and out=\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_trace, NULL);
    return 0;
}
