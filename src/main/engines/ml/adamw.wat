;; AdamW's element loop over f32x4 lanes, one pass over w, g, m, v (all in the imported memory):
;;   g = grad * clip; m = m * b1 + g * (1 - b1); v = v * b2 + g * g * (1 - b2)
;;   w = w * shrink - (m * stepSize) / (sqrt(v * invBc2) + eps)
;; Offsets are in bytes, n in floats (a multiple of 4). Compiled into adamw-wasm-bytes.ts by
;; scripts/build-adamw-wasm.ts; test/unit/engines/ml/adamw-wasm.test.ts checks the two agree.
(module
  (import "env" "mem" (memory 1))
  (func (export "adamw")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $clip f32) (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $stepSize f32) (param $invBc2 f32) (param $eps f32) (param $shrink f32)
    (local $p i32) (local $end i32)
    (local $clip4 v128) (local $b14 v128) (local $omb14 v128) (local $b24 v128) (local $omb24 v128)
    (local $step4 v128) (local $invBc24 v128) (local $eps4 v128) (local $shrink4 v128)
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local.set $clip4 (f32x4.splat (local.get $clip)))
    (local.set $b14 (f32x4.splat (local.get $b1)))
    (local.set $omb14 (f32x4.splat (local.get $omb1)))
    (local.set $b24 (f32x4.splat (local.get $b2)))
    (local.set $omb24 (f32x4.splat (local.get $omb2)))
    (local.set $step4 (f32x4.splat (local.get $stepSize)))
    (local.set $invBc24 (f32x4.splat (local.get $invBc2)))
    (local.set $eps4 (f32x4.splat (local.get $eps)))
    (local.set $shrink4 (f32x4.splat (local.get $shrink)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $gi
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $p))) (local.get $clip4)))
        (v128.store (i32.add (local.get $m) (local.get $p))
          (local.tee $mi
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $p))) (local.get $b14))
              (f32x4.mul (local.get $gi) (local.get $omb14)))))
        (v128.store (i32.add (local.get $v) (local.get $p))
          (local.tee $vi
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $p))) (local.get $b24))
              (f32x4.mul (f32x4.mul (local.get $gi) (local.get $gi)) (local.get $omb24)))))
        (v128.store (i32.add (local.get $w) (local.get $p))
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $p))) (local.get $shrink4))
            (f32x4.div
              (f32x4.mul (local.get $mi) (local.get $step4))
              (f32x4.add
                (f32x4.sqrt (f32x4.mul (local.get $vi) (local.get $invBc24)))
                (local.get $eps4)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))))
