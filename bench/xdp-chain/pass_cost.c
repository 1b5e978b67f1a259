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
#include "../xdp_test_run.h"

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
