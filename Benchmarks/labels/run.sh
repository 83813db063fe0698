#!/usr/bin/env bash
# Labelling throughput and memory (issue 8): a 1 GB MP4 and a 200 MB WAV labelled in place by the
# release `hegui label`, with and without the Ed25519 seal (which hashes the media), and the visible
# mark on a 4000×3000 PNG. Files are made with ffmpeg under a scratch directory and removed after.
# Usage: Benchmarks/labels/run.sh   (from the repository root; needs ffmpeg and /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product hegui >/dev/null
HEGUI="$(swift build -c release --show-bin-path)/hegui"
WORK="$(mktemp -d /tmp/hegui-label-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
q="-hide_banner -loglevel error -y"

echo "making inputs in $WORK"
ffmpeg $q -f lavfi -i "testsrc2=size=1920x1080:rate=25" -t 4 -c:v libx264 -preset ultrafast -qp 0 \
    -movflags +faststart "$WORK/src.mp4"
loops=$(( (1024 * 1024 * 1024) / $(stat -c %s "$WORK/src.mp4") ))
ffmpeg $q -stream_loop "$loops" -i "$WORK/src.mp4" -c copy -movflags +faststart "$WORK/big.mp4"
ffmpeg $q -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 1100 -ac 2 -c:a pcm_s16le "$WORK/big.wav"
ffmpeg $q -f lavfi -i "testsrc2=size=4000x3000:rate=1" -frames:v 1 "$WORK/big.png"
# Photo-like: grain on every pixel, so the PNG holds tens of MB that deflate cannot shrink much.
ffmpeg $q -f lavfi -i "testsrc2=size=4000x3000:rate=1" -vf "noise=alls=30:allf=t" -frames:v 1 "$WORK/photo.png"
ffmpeg $q -f lavfi -i "testsrc2=size=4000x3000:rate=1" -vf "noise=alls=20:allf=t" -frames:v 1 -q:v 3 "$WORK/photo.jpg"

measure() {  # name, file, extra flags...
    local name="$1" file="$2"
    shift 2
    local size
    size=$(stat -c %s "$file")
    cat "$file" >/dev/null  # the same warm page cache for every run
    sync                    # and no dirty pages of an earlier run still being written back
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/rss" "$HEGUI" label --in-place --data-dir "$WORK/data" "$@" "$file" >/dev/null 2>&1
    end=$(date +%s.%N)
    local seconds rss
    seconds=$(echo "$end - $start" | bc -l)
    rss=$(cat "$WORK/rss")
    printf "%-34s %7.0f MB  %8.3f s  %8.0f MB/s  max RSS %5.1f MB\n" "$name" "$(echo "$size / 1000000" | bc -l)" \
        "$seconds" "$(echo "$size / 1000000 / $seconds" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

echo
echo "implicit label (metadata only; the media are copied in the kernel)"
for run in 1 2 3; do measure "MP4 1 GB, no seal (run $run)" "$WORK/big.mp4" --no-seal; done
for run in 1 2 3; do measure "WAV 200 MB, no seal (run $run)" "$WORK/big.wav" --no-seal; done
echo
echo "implicit label with the Ed25519 seal over the essence (SHA-256 of the media data)"
for run in 1 2 3; do measure "MP4 1 GB, sealed (run $run)" "$WORK/big.mp4"; done
for run in 1 2 3; do measure "WAV 200 MB, sealed (run $run)" "$WORK/big.wav"; done
echo
ffprobe -v error -show_entries format_tags=AIGC -of default=nw=1:nk=1 "$WORK/big.mp4" | head -c 120
echo
if "$HEGUI" label apply --help 2>&1 | grep -q -- "--explicit"; then
    echo
    echo "visible mark on a 4000x3000 PNG (and the implicit label)"
    for image in big photo; do
        for position in top-left bottom-right; do
            for run in 1 2 3; do
                cp "$WORK/$image.png" "$WORK/mark.png"
                measure "PNG 4000x3000 $image $position ($run)" "$WORK/mark.png" --explicit --position "$position" --no-seal
            done
        done
    done
    echo
    echo "visible mark on a 4000x3000 JPEG (photo-like, 5 MB)"
    for run in 1 2 3; do
        cp "$WORK/photo.jpg" "$WORK/mark.jpg"
        measure "JPEG 4000x3000 photo bottom-right ($run)" "$WORK/mark.jpg" --explicit --no-seal
    done
fi
