"""Time C peers (Pillow-SIMD, libvips) on the job `profile-image` does, for comparison only.

Optional: nothing in the crate, its tests or CI needs this script or its packages.

    python3 benches/peers.py DIR [--runs N] [--ssim OURS_BINARY]

For each *.jpg / *.png in DIR and each peer that imports, it does, in process and from bytes in
memory to JPEG bytes in memory: EXIF orientation, centred square crop, Lanczos resize to
1200x1200, alpha flattened onto white, JPEG quality 85, 4:2:0, baseline, no Huffman
optimisation. It prints a Markdown table of the median wall and CPU time (all threads) over N
runs (default 7) after one warm-up run, and the output size; each output is checked to be a
1200x1200 baseline 4:2:0 JPEG. Times exclude interpreter start-up. Pin it to one core to compare
with the crate, e.g. `taskset -c 0 peers-venv/bin/python benches/peers.py DIR`; DIR is what
`cargo run --release --example measure -- --write-inputs DIR` writes (the benches' inputs).

Installing the peers (Debian 12; Pillow-SIMD builds from source, in a venv so that it does not
clash with a normal Pillow; -mavx2 turns on its AVX2 resampling paths):

    apt-get install libjpeg62-turbo-dev zlib1g-dev libpng-dev libvips-dev python3-venv python3-dev
    python3 -m venv peers-venv
    peers-venv/bin/pip install --upgrade pip wheel setuptools
    CC="cc -mavx2" peers-venv/bin/pip install --no-cache-dir --no-binary pillow-simd pillow-simd
    peers-venv/bin/pip install pyvips

--ssim OURS_BINARY (e.g. target/release/profile-image, run as `OURS_BINARY IN OUT`) adds a
quality table: SSIM (Wang et al.: Gaussian window, sigma 1.5, K1 0.01, K2 0.03, data range 255,
mean over R, G, B) and PSNR of each tool's output against a float reference, for the crate and each
peer. It needs numpy and scikit-image; plain `pip install scikit-image` would replace Pillow-SIMD
with stock Pillow, so install its dependencies by name and it without:

    peers-venv/bin/pip install numpy scipy lazy-loader networkx tifffile
    peers-venv/bin/pip install --no-deps scikit-image

The reference is the same job done as exactly as possible, with no 8-bit step and no shortcut:
full decode (no JPEG DCT scaling), ImageOps.exif_transpose, the centred square at its exact
(possibly half-pixel) position, then per channel a Lanczos resize of float32 ("F") images, which
Pillow does in float without rounding or clamping. With alpha, colour is premultiplied by alpha
before the resize and composited onto white after it (c*a + 255*(1 - a)): a resize must average
premultiplied colour, or the colour of fully transparent pixels would bleed into the visible edge;
flattening the resized premultiplied image onto white is then exact. The result is clipped to
0..255 but not rounded, so the reference carries no quantisation of its own (check: it scores
~0.999-0.9999 against itself rounded to 8 bits). A tool may place the crop up to half an output
pixel off the exact centre (libvips resizes, then crops at a whole output pixel), and on fine detail
that alone can cost 0.15 SSIM; so each tool is scored against the centred reference and against
references moved half an output pixel either way along the cropped axis, and the best counts
(marked in the table when it is not the centred one).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

os.environ.setdefault("VIPS_CONCURRENCY", "1")  # must be set before libvips starts

SIDE, QUALITY = 1200, 85

try:
    import PIL
    from PIL import Image, ImageOps, features
except ImportError as e:
    PIL = None
    print(f"Pillow-SIMD not importable ({e}): skipped")
try:
    import pyvips

    pyvips.cache_set_max(0)  # no operation cache: every run redoes the work
except (ImportError, OSError) as e:
    pyvips = None
    print(f"pyvips/libvips not importable ({e}): skipped")


def pillow(data):
    im = Image.open(BytesIO(data))
    orientation = im.getexif().get(0x0112, 1)
    if im.format == "JPEG":
        # Largest DCT scale (1/2, 1/4, 1/8) that keeps both sides >= SIDE, so the shorter side,
        # which the square crop keeps, still covers SIDE; a square request needs no swap for
        # EXIF orientation.
        im.draft("RGB", (SIDE, SIDE))
    alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    mode = "RGBA" if alpha else "RGB"
    if im.mode != mode:  # convert() to the same mode would copy
        im = im.convert(mode)
    w, h = im.size
    s = min(w, h)
    box = ((w - s) / 2, (h - s) / 2, (w + s) / 2, (h + s) / 2)
    out = im.resize((SIDE, SIDE), Image.LANCZOS, box=box)
    # The centred square crop commutes with every EXIF orientation, so orient the small result
    # (the same mapping as ImageOps.exif_transpose) instead of the full decode.
    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation)
    if method is not None:
        out = out.transpose(method)
    if alpha:  # Pillow resizes RGBA premultiplied, so flattening after the resize is the same
        bg = Image.new("RGB", out.size, (255, 255, 255))
        bg.paste(out, mask=out.getchannel("A"))
        out = bg
    buf = BytesIO()
    out.save(buf, "JPEG", quality=QUALITY, subsampling=2, optimize=False, progressive=False)
    return buf.getvalue()


def vips(data):
    # thumbnail does shrink-on-load, EXIF autorotation and a Lanczos3 reduce.
    im = pyvips.Image.thumbnail_buffer(data, SIDE, height=SIDE, crop="centre", size="both")
    if im.hasalpha():
        im = im.flatten(background=[255, 255, 255])
    return im.write_to_buffer(".jpg", Q=QUALITY, subsample_mode="on", strip=True)


def jpeg_frame(jpeg):
    """(SOF marker, width, height, [(h, v) sampling per component]) of a JPEG, stdlib only."""
    i = 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker, length = jpeg[i + 1], int.from_bytes(jpeg[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            h, w, n = int.from_bytes(jpeg[i + 5:i + 7], "big"), int.from_bytes(jpeg[i + 7:i + 9], "big"), jpeg[i + 9]
            comps = [jpeg[i + 11 + 3 * c] for c in range(n)]
            return marker, w, h, [(b >> 4, b & 15) for b in comps]
        i += 2 + length
    raise ValueError("no SOF marker")


def check(name, tool, jpeg):
    marker, w, h, sampling = jpeg_frame(jpeg)
    if (w, h) != (SIDE, SIDE) or marker != 0xC0 or sampling != [(2, 2), (1, 1), (1, 1)]:
        sys.exit(f"FAIL {name} / {tool}: SOF {marker:#x}, {w}x{h}, sampling {sampling}; "
                 f"want baseline (0xc0) {SIDE}x{SIDE} 4:2:0")
    if PIL is not None and Image.open(BytesIO(jpeg)).size != (SIDE, SIDE):
        sys.exit(f"FAIL {name} / {tool}: PIL decodes it as {Image.open(BytesIO(jpeg)).size}")


def references(data):
    """{shift: float32 (SIDE, SIDE, 3) array in 0..255}: the job done in float (see the module
    docstring), with the crop centred (shift 0) and moved half an output pixel either way along
    the cropped axis (shifts -0.5 and 0.5; only 0 for a square source)."""
    import numpy as np

    im = ImageOps.exif_transpose(Image.open(BytesIO(data)))
    alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    a = np.asarray(im.convert("RGBA" if alpha else "RGB"), dtype=np.float32)
    if alpha:
        a = np.dstack([a[..., :3] * (a[..., 3:] / 255), a[..., 3] / 255])  # premultiplied, alpha 0..1
    channels = [Image.fromarray(np.ascontiguousarray(a[..., c])) for c in range(a.shape[2])]  # "F"
    h, w = a.shape[:2]
    s = min(w, h)
    refs = {}
    for shift in (0, -0.5, 0.5) if w != h else (0,):
        d = shift * s / SIDE  # in source pixels, clamped so that the window stays in the image
        x = min(max((w - s) / 2 + d, 0), w - s) if w > h else 0
        y = min(max((h - s) / 2 + d, 0), h - s) if h > w else 0
        out = np.dstack([np.asarray(c.resize((SIDE, SIDE), Image.LANCZOS, box=(x, y, x + s, y + s)))
                         for c in channels])
        if alpha:
            out = out[..., :3] + 255 * (1 - out[..., 3:])
        refs[shift] = np.clip(out, 0, 255)
    return refs


def ours(binary):
    def run(data):
        with tempfile.TemporaryDirectory() as d:
            src, dst = Path(d, "in"), Path(d, "out.jpg")
            src.write_bytes(data)
            r = subprocess.run([binary, str(src), str(dst)], capture_output=True, text=True)
            if r.returncode:
                sys.exit(f"FAIL {binary} exited {r.returncode}: {r.stderr.strip()}")
            return dst.read_bytes()
    return run


def quality(files, tools):
    """Second table: SSIM and PSNR of each tool's output against the float reference, at the
    crop placement (centred or half an output pixel off) that suits the tool best."""
    import numpy as np
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    def ssim(ref, out):
        return structural_similarity(ref, out, channel_axis=2, data_range=255,
                                     gaussian_weights=True, sigma=1.5, use_sample_covariance=False)

    names = [tool for tool, _ in tools]
    print(f"\n| input | {' | '.join(f'SSIM {t}' for t in names)} | {' | '.join(f'PSNR {t}' for t in names)} |")
    print(f"|---|{'---:|' * 2 * len(names)}")
    worst_self, shifted = 1.0, False
    for path in files:
        data = path.read_bytes()
        refs = references(data)
        worst_self = min(worst_self, ssim(refs[0], np.round(refs[0])))
        cells, psnrs = [], []
        for tool, fn in tools:
            jpeg = fn(data)
            check(path.name, tool, jpeg)
            out = np.asarray(Image.open(BytesIO(jpeg)).convert("RGB"), dtype=np.float32)
            scores = {t: ssim(ref, out) for t, ref in refs.items()}
            best = max(scores, key=scores.get)
            cells.append(f"{scores[best]:.4f}" + (f" ({best:+}px; centred {scores[0]:.4f})" if best else ""))
            psnrs.append(f"{peak_signal_noise_ratio(refs[best], out, data_range=255):.2f} dB")
            shifted |= best != 0
        print(f"| {path.name} | {' | '.join(cells)} | {' | '.join(psnrs)} |", flush=True)
    print(f"\nreference self-check: worst SSIM against itself rounded to 8 bits {worst_self:.5f} "
          "(what 8-bit rounding alone costs; expect ~0.999-0.9999)")
    if shifted:
        print("(+-0.5px: that tool's crop is half an output pixel off centre; scored there, "
              "PSNR too)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--ssim", metavar="OURS_BINARY", help="also print SSIM/PSNR against a float "
                    "reference for OURS_BINARY (run as `OURS_BINARY IN OUT`) and the peers")
    args = ap.parse_args()
    if args.ssim:  # fail before the timings, not after
        try:
            import numpy, skimage.metrics  # noqa: F401
        except ImportError as e:
            sys.exit(f"--ssim needs numpy and scikit-image ({e}); see the module docstring to install")

    tools = []
    if PIL is not None:
        tools.append(("Pillow-SIMD", pillow))
        print(f"- Pillow {PIL.__version__}, libjpeg-turbo {features.version_feature('libjpeg_turbo')}")
    if pyvips is not None:
        print(f"- libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)} (pyvips "
              f"{pyvips.__version__}, {'API' if pyvips.API_mode else 'ABI'} mode), "
              f"VIPS_CONCURRENCY={os.environ['VIPS_CONCURRENCY']}")
        tools.append(("libvips", vips))
    print(f"- Python {sys.version.split()[0]}, {args.runs} runs after 1 warm-up, CPU affinity "
          f"{sorted(os.sched_getaffinity(0))}\n")
    files = sorted(p for p in args.dir.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not files or not tools:
        sys.exit("nothing to do: no input files or no peer installed")

    print("| input | tool | median wall ms | median CPU ms | output bytes |")
    print("|---|---|---:|---:|---:|")
    for path in files:
        data = path.read_bytes()
        for tool, fn in tools:
            out = fn(data)  # warm-up
            check(path.name, tool, out)
            walls, cpus = [], []
            for _ in range(args.runs):
                w0, c0 = time.perf_counter(), time.process_time()
                out = fn(data)
                walls.append(time.perf_counter() - w0)
                cpus.append(time.process_time() - c0)
            check(path.name, tool, out)
            print(f"| {path.name} | {tool} | {statistics.median(walls) * 1e3:.1f} "
                  f"| {statistics.median(cpus) * 1e3:.1f} | {len(out)} |", flush=True)
    with open("/proc/self/status") as f:  # Linux only; libvips starts worker threads
        threads = next((line.split()[1] for line in f if line.startswith("Threads:")), "?")
    print(f"\nthreads in this process at the end: {threads}")
    if args.ssim:
        if PIL is None:
            sys.exit("--ssim needs Pillow to decode and to build the reference")
        quality(files, [("profile-image", ours(args.ssim))] + tools)


if __name__ == "__main__":
    main()
