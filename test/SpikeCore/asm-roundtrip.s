; Text -> binary -> canonical text, and canonical text -> the same binary.
; RUN: sf-asm %s -o %t.bin
; RUN: sf-asm -d %t.bin | FileCheck %s
; RUN: sf-asm -d %t.bin -o %t.s
; RUN: sf-asm %t.s -o %t2.bin
; RUN: cmp %t.bin %t2.bin
; The binary is 16 words: a header and its operand words per instruction.
; RUN: %python -c "import os,sys; sys.exit(os.path.getsize(sys.argv[1]) != 64)" %t.bin

; A LIF core's timestep routine.
leak   mul=3277, shift=15, vleak=0     ; decay by 0.1 towards 0
ACC    base=0x0
BIAS   base=4096
FIRE   thr=1200 reset=hard            ; vreset and cmp take their defaults
; A graded (ReLU) core's output stage.
FIRE   graded mul=77 shift=12
; A readout core's output stage.
out
NOP
HALT

; CHECK:      LEAK mul=3277 shift=15 vleak=0
; CHECK-NEXT: ACC base=0x0
; CHECK-NEXT: BIAS base=0x1000
; CHECK-NEXT: FIRE thr=1200 vreset=0 reset=hard cmp=ge
; CHECK-NEXT: FIRE graded mul=77 shift=12
; CHECK-NEXT: OUT
; CHECK-NEXT: NOP
; CHECK-NEXT: HALT
; CHECK-NOT:  {{.}}
