"""Download MNIST or Fashion-MNIST where ``load_mnist()`` and the lab look for it.

    python -m tinynet.data download mnist              # into the cache folder
    python -m tinynet.data download fashion-mnist --root DIR

Both splits are fetched (when not already present) and checked, then the
folders holding them are printed. The download rule is that of
``tinynet.data.fetch``: this command asks for a download explicitly, so only
TINYNET_NO_DOWNLOAD=1 stops it.
"""
import argparse
import sys

from .datasets import _TORCHVISION_NAMES, load_dataset


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinynet.data",
                                     description="Download a data set tinynet reads.")
    commands = parser.add_subparsers(dest="command", required=True)
    download = commands.add_parser("download", help="download both splits of a data set")
    download.add_argument("name", choices=sorted(_TORCHVISION_NAMES))
    download.add_argument("--root", metavar="DIR",
                          help="download into DIR/<name>/ (default: the cache folder, "
                               "~/.cache/tinynet, unless the files are in $TINYNET_DATA)")
    args = parser.parse_args(argv)
    try:
        for train in (True, False):
            images, _ = load_dataset(args.name, root=args.root, train=train, download=True)
            split = "training" if train else "test"
            print(f"{args.name} {split} split: {len(images)} images")
    except (FileNotFoundError, RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
