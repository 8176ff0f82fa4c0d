"""painloop: a whole-system simulator of neuropathic pain. For research and education, not medical advice."""

__version__ = "0.1.0"

DISCLAIMER = ("painloop is research and education software. It is not a medical device and gives no medical "
              "advice: do not use it to diagnose, treat or choose a dose for anyone.")
