// Per-packet cost of the XDP bypass filter's PASS path with chaining (docs/XDP.md, "Chaining"),
// measured by the kernel with BPF_PROG_TEST_RUN: the average ns per run of
//   1. a filter without the chain (an object built from an xdp_bypass.c before chaining),
//   2. the chaining filter with an empty chain (every slot tried, all empty: XDP_PASS),
//   3. the chaining filter with a next program (returns XDP_PASS) in slot 0,
//   4. that next program alone (BPF_PROG_TEST_RUN's own fixed cost per run is most of it),
// on one passing IPv4/UDP frame (no map hit), rounds interleaved, medians printed. Run as root:
//   clang-14 -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c <old xdp_bypass.c> -o old.o
//   clang-14 -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c Capture.Linux/Xdp/Bpf/xdp_bypass.c -o new.o
//   printf '%s\n' '#define SEC(n) __attribute__((section(n), used))' 'struct xdp_md;' 'SEC("xdp") int xdp_next(struct xdp_md *ctx) { return 2; }' 'char _l[] SEC("license") = "GPL";' > pass.c
//   clang-14 -O2 -target bpf -c pass.c -o pass.o
//   gcc -O2 -o pass_cost bench/xdp-chain/pass_cost.c -l:libbpf.so.1 && ./pass_cost old.o new.o pass.o
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

int main(int argc, char **argv) {
  int rounds = 11, repeat = 5000000;
  struct bpf_object *oo, *on, *oc, *op;
  int old = load(argv[1], "xdp_bypass", &oo);
  int empty = load(argv[2], "xdp_bypass", &on);
  int chained = load(argv[2], "xdp_bypass", &oc);
  int next = load(argv[3], "xdp_next", &op);
  uint32_t slot = 0;
  if (bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(oc, "xdp_chain")), &slot, &next, 0)) { perror("slot"); return 1; }
  const char *names[] = { "filter without the chain", "chain filter, empty chain (8 empty slots tried)", "chain filter, next program in slot 0", "next program alone" };
  int fds[] = { old, empty, chained, next };
  double r[4][32];
  for (int i = 0; i < rounds; i++)
    for (int k = 0; k < 4; k++)
      r[k][i] = run(fds[k], repeat);
  for (int k = 0; k < 4; k++) {
    qsort(r[k], rounds, sizeof(double), cmp);
    printf("%-50s median %5.1f ns  min %5.1f  max %5.1f  (%d rounds x %d runs, passing IPv4/UDP frame)\n", names[k], r[k][rounds / 2], r[k][0], r[k][rounds - 1], rounds, repeat);
  }
  return 0;
}
