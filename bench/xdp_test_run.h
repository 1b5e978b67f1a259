// What bench/xdp-chain/pass_cost.c and bench/xdp-rules/rule_cost.c share: the few libbpf
// declarations they call (libbpf 1.x ABI, so libbpf's headers are not needed), one passing
// IPv4/UDP frame, loading an object's program, and timing BPF_PROG_TEST_RUN on the frame.
#ifndef XDP_TEST_RUN_H
#define XDP_TEST_RUN_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
struct bpf_object; struct bpf_program; struct bpf_map;
struct bpf_test_run_opts { size_t sz; const void *data_in; void *data_out; uint32_t data_size_in; uint32_t data_size_out;
  const void *ctx_in; void *ctx_out; uint32_t ctx_size_in; uint32_t ctx_size_out; uint32_t retval; int repeat; uint32_t duration; uint32_t flags; uint32_t cpu; uint32_t batch_size; };
struct bpf_object *bpf_object__open_file(const char *path, const void *opts);
int bpf_object__load(struct bpf_object *obj);
struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name);
struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name);
int bpf_program__fd(const struct bpf_program *prog);
int bpf_map__fd(const struct bpf_map *map);
int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts);
int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags);

static unsigned char frame[74] = {
  2,0xca,0,0,0,1, 2,0xca,0,0,0,2, 0x08,0x00,
  0x45,0,0,60, 0,0,0x40,0, 64,17,0,0, 198,18,1,10, 198,18,2,20,
  0x9c,0x41,0,53, 0,40,0,0 };

static int load(const char *file, const char *prog, struct bpf_object **out) {
  struct bpf_object *o = bpf_object__open_file(file, NULL);
  if (!o || bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", file); exit(1); }
  *out = o;
  return bpf_program__fd(bpf_object__find_program_by_name(o, prog));
}

static double run(int fd, int repeat) {
  struct bpf_test_run_opts opts; memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts; opts.data_in = frame; opts.data_size_in = sizeof frame; opts.repeat = repeat;
  if (bpf_prog_test_run_opts(fd, &opts)) { perror("test_run"); exit(1); }
  if (opts.retval != 2) { fprintf(stderr, "retval %u\n", opts.retval); exit(1); }
  return opts.duration;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

#endif
