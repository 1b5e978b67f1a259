// Per-packet cost of kernel bypass rules (docs/XDP.md, "Kernel bypass rules") for a packet no
// rule matches, measured by the kernel with BPF_PROG_TEST_RUN: the average ns per run of
//   1. the filter without kernel rules (an object built from an xdp_bypass.c before them),
//   2. the filter with kernel rules, none in use (the set word says 0),
//   3-5. the same with 1, 16 and 64 rules in use, none matching the frame (UDP to ports 1000+i),
// on one passing IPv4/UDP frame (no map entry), rounds interleaved, medians printed. Run as root:
//   git show <commit before kernel rules>:Capture.Linux/Xdp/Bpf/xdp_bypass.c > old.c
//   clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c old.c -o old.o
//   clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c Capture.Linux/Xdp/Bpf/xdp_bypass.c -o new.o
//   gcc -O2 -o rule_cost bench/xdp-rules/rule_cost.c -l:libbpf.so.1 && ./rule_cost old.o new.o
// libbpf's headers are not needed: the few declarations are below (libbpf 1.x ABI).
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

// struct bypass_rule of xdp_bypass.c (88 bytes).
struct bypass_rule { uint32_t src[4], src_mask[4], dst[4], dst_mask[4]; uint64_t sid;
  uint16_t sport_lo, sport_hi, dport_lo, dport_hi; uint8_t proto, family, both_ways, pad[5]; };

static unsigned char frame[74] = {
  2,0xca,0,0,0,1, 2,0xca,0,0,0,2, 0x08,0x00,
  0x45,0,0,60, 0,0,0x40,0, 64,17,0,0, 198,18,1,10, 198,18,2,20,
  0x9c,0x41,0,53, 0,40,0,0 };

static int load(const char *file, struct bpf_object **out) {
  struct bpf_object *o = bpf_object__open_file(file, NULL);
  if (!o || bpf_object__load(o)) { fprintf(stderr, "load %s failed\n", file); exit(1); }
  *out = o;
  return bpf_program__fd(bpf_object__find_program_by_name(o, "xdp_bypass"));
}

static void use_rules(struct bpf_object *o, uint32_t count) {
  int rules = bpf_map__fd(bpf_object__find_map_by_name(o, "bypass_rules"));
  int set = bpf_map__fd(bpf_object__find_map_by_name(o, "bypass_rule_set"));
  for (uint32_t i = 0; i < count; i++) {
    struct bypass_rule r; memset(&r, 0, sizeof r);
    r.sid = i + 1; r.proto = 17; r.family = 4; r.sport_hi = 65535;
    r.dport_lo = r.dport_hi = (uint16_t)(1000 + i);       // the frame goes to port 53: no rule matches
    if (bpf_map_update_elem(rules, &i, &r, 0)) { perror("rule"); exit(1); }
  }
  uint32_t zero = 0;
  if (bpf_map_update_elem(set, &zero, &count, 0)) { perror("set"); exit(1); }
}

static double run(int fd, int repeat) {
  struct bpf_test_run_opts opts; memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts; opts.data_in = frame; opts.data_size_in = sizeof frame; opts.repeat = repeat;
  if (bpf_prog_test_run_opts(fd, &opts)) { perror("test_run"); exit(1); }
  if (opts.retval != 2) { fprintf(stderr, "retval %u\n", opts.retval); exit(1); }
  return opts.duration;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
  enum { Kinds = 5 };
  int rounds = 11, repeat = 5000000;
  const uint32_t in_use[Kinds] = { 0, 0, 1, 16, 64 };
  const char *names[Kinds] = { "filter without kernel rules", "kernel rules, none in use", "kernel rules, 1 in use (no match)", "kernel rules, 16 in use (no match)", "kernel rules, 64 in use (no match)" };
  struct bpf_object *objects[Kinds];
  int fds[Kinds];
  if (argc < 3) { fprintf(stderr, "usage: rule_cost old.o new.o\n"); return 2; }
  for (int k = 0; k < Kinds; k++) {
    fds[k] = load(k == 0 ? argv[1] : argv[2], &objects[k]);
    if (k > 0) use_rules(objects[k], in_use[k]);
  }
  double r[Kinds][32];
  for (int i = 0; i < rounds; i++)
    for (int k = 0; k < Kinds; k++)
      r[k][i] = run(fds[k], repeat);
  for (int k = 0; k < Kinds; k++) {
    qsort(r[k], rounds, sizeof(double), cmp);
    printf("%-40s median %5.1f ns  min %5.1f  max %5.1f  (%d rounds x %d runs, passing IPv4/UDP frame)\n", names[k], r[k][rounds / 2], r[k][0], r[k][rounds - 1], rounds, repeat);
  }
  return 0;
}
