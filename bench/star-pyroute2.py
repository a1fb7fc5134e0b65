"""The star of bench/star.lua with pyroute2, used as well as it can be: each
veth made with its peer in place, one IPRoute socket opened inside each
namespace (pushns/popns switch this process, where NetNS would start a
helper process per namespace), and as bench/star-batch.sh, the bridge port
brought up after its peer and one queue each way given.

    /usr/bin/python3 bench/star-pyroute2.py up N | down N
"""
import os
import sys
import time

from pyroute2 import IPRoute, netns


def up(n):
    ipr = IPRoute()
    ipr.link("add", ifname="br0", kind="bridge")
    br = ipr.link_lookup(ifname="br0")[0]
    ipr.addr("add", index=br, address="10.0.0.1", prefixlen=16)
    ipr.link("set", index=br, state="up")
    for i in range(1, n + 1):
        name = "h%d" % i
        a = i + 1
        netns.create(name)
        ipr.link("add", ifname="vh%d" % i, kind="veth", master=br,
                 num_tx_queues=1, num_rx_queues=1,
                 peer={"ifname": "eth0", "net_ns_fd": name,
                       "num_tx_queues": 1, "num_rx_queues": 1})
        netns.pushns(name)
        try:
            ns = IPRoute()
        finally:
            netns.popns()
        with ns:
            ns.link("set", index=ns.link_lookup(ifname="lo")[0], state="up")
            eth0 = ns.link_lookup(ifname="eth0")[0]
            ns.link("set", index=eth0, state="up")
            ns.addr("add", index=eth0, address="10.0.%d.%d" % (a // 256, a % 256),
                    prefixlen=16)
            ns.route("add", dst="0.0.0.0/0", gateway="10.0.0.1")
        ipr.link("set", index=ipr.link_lookup(ifname="vh%d" % i)[0], state="up")
    ipr.close()


def down(n):
    for i in range(1, n + 1):
        netns.remove("h%d" % i)
    with IPRoute() as ipr:
        ipr.link("del", index=ipr.link_lookup(ifname="br0")[0])
    # Until the kernel has removed every root-side veth.
    i = 1
    while i <= n:
        if os.path.exists("/sys/class/net/vh%d" % i):
            time.sleep(0.005)
        else:
            i += 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("up", "down"):
        sys.exit("usage: star-pyroute2.py up|down N")
    {"up": up, "down": down}[sys.argv[1]](int(sys.argv[2]))
