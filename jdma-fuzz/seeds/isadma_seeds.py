#!/usr/bin/env python3
"""Writes the hand-made regression inputs of IsaDmaFuzzTest (one operation: a byte choosing the
case of IsaDmaFuzzTest.run's switch, then its fields)."""
import os

OUT = 'src/test/resources/org/jdma/fuzz/IsaDmaFuzzTestInputs/portWritesAndDreqNeverCrashTheControllers'
ADDRESS, COUNT, SINGLE_MASK, MODE, CLEAR_FF, MASTER_CLEAR, COMMAND = 4, 5, 10, 11, 12, 13, 8
SINGLE, WRITE, READ, AUTOINIT = 0x40, 0x04, 0x08, 0x10
PAGE_CH2 = 1  # port 0x81


def first(reg, value): return bytes([0, reg, value])
def second(reg, value): return bytes([1, 2 * reg, value])
def page(index, value): return bytes([2, index, value])
def read_port(which, index): return bytes([3, which, index])
def device(sector, count, command): return bytes([4, sector, 0, count, command])
def run(ns4): return bytes([5, ns4 & 0xFF, ns4 >> 8])


CASCADE = second(MODE, 0xC0) + second(SINGLE_MASK, 0)  # channel 4 cascades the first controller, as firmware sets it


def program_ch2(mode, address, count):
    return (CASCADE + first(SINGLE_MASK, 4 | 2) + first(CLEAR_FF, 0) + first(MODE, mode | 2)
            + first(ADDRESS, address & 0xFF) + first(ADDRESS, address >> 8 & 0xFF) + page(PAGE_CH2, address >> 16)
            + first(COUNT, count & 0xFF) + first(COUNT, count >> 8) + first(SINGLE_MASK, 2))


SEEDS = {
    'seed-empty': b'',
    # A driver's sector read: the device writes memory (8237 "write transfer").
    'seed-sector-read': program_ch2(SINGLE | WRITE, 0x1000, 511) + device(3, 1, 1) + run(0xFFFF) * 3
        + read_port(0, 8) + read_port(0, 4),
    # A sector write from memory, autoinitialized, then a master clear in the middle of a second one.
    'seed-write-autoinit-master-clear': program_ch2(SINGLE | READ | AUTOINIT, 0x2000, 511) + device(0, 2, 2)
        + run(0x4000) + first(MASTER_CLEAR, 0) + run(0xFFFF) + bytes([4, 0, 0, 0, 3]),
    # Software request, memory-to-memory on channels 0/1, a count that wraps, a page past RAM.
    'seed-mem-to-mem-past-ram': first(COMMAND, 1) + first(MODE, 0x88) + first(MODE, 0x85) + page(7, 0xFF)
        + first(0, 0) + first(0, 0) + first(1, 0xFF) + first(1, 0xFF) + first(9, 4) + run(0xFFFF),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
