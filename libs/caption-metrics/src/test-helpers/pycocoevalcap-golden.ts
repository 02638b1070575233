// A Flickr30k-like set (references from the Karpathy test split, candidates written to hit the edge cases: a
// repeated word, a one-word and an empty candidate, 1 to 5 references of different lengths per image) and the
// numbers pycocoevalcap's scorer code gives for it: bleu_scorer.py (option 'closest'), rouge.py and
// cider_scorer.py, run in Python 3.11 with numpy 2.4 on these pre-tokenized strings.
export const GOLDEN_REFERENCES: Record<string, string[]> = {
  '1000092795.jpg': [
    'two young guys with shaggy hair look at their hands while hanging out in the yard',
    'two young white males are outside near many bushes',
    'two men in green shirts are standing in a yard',
    'a man in a blue shirt standing in a garden',
    'two friends enjoy time spent together',
  ],
  '10002456.jpg': [
    'several men in hard hats are operating a giant pulley system',
    'workers look down from up above on a piece of equipment',
    'two men working on a machine wearing hard hats',
  ],
  '1000268201.jpg': [
    'a child in a pink dress is climbing up a set of stairs in an entry way',
    'a little girl in a pink dress going into a wooden cabin',
  ],
  '1000344755.jpg': [
    'someone in a blue shirt and hat is standing on stair and leaning against a window',
    'a man in a blue shirt is standing on a ladder cleaning windows',
    'a man on a ladder cleans the window of a tall building',
    'man in blue shirt and jeans on ladder cleaning windows',
  ],
  '1000366164.jpg': ['a dog runs'],
};

export const GOLDEN_CANDIDATES: Record<string, string> = {
  '1000092795.jpg': 'two men are standing in a yard',
  '10002456.jpg': 'men men men in hard hats',
  '1000268201.jpg': 'girl',
  '1000344755.jpg': 'a man in a blue shirt is cleaning windows on a ladder',
  '1000366164.jpg': '',
};

export const PYCOCOEVALCAP_SCORES = {
  corpus: {
    'BLEU-1': 0.4988612274876575,
    'BLEU-2': 0.45642972951391403,
    'BLEU-3': 0.4024478362438149,
    'BLEU-4': 0.35234018352629415,
    'ROUGE-L': 0.43455346671902095,
    'CIDEr-D': 1.0484138571877835,
  },
  perImage: {
    '1000092795.jpg': {
      'BLEU-1': 0.9999999998571429,
      'BLEU-2': 0.9128709290339994,
      'BLEU-3': 0.7937005258492968,
      'BLEU-4': 0.7071067810522816,
      'ROUGE-L': 0.7981308411214955,
      'CIDEr-D': 1.4047413426802384,
    },
    '10002456.jpg': {
      'BLEU-1': 0.4043537730069712,
      'BLEU-2': 0.38360367094902886,
      'BLEU-3': 0.3547012814219109,
      'BLEU-4': 0.3081980908352487,
      'ROUGE-L': 0.4468864468864468,
      'CIDEr-D': 1.1472245936649954,
    },
    '1000268201.jpg': {
      'BLEU-1': 1.670170075684248e-5,
      'BLEU-2': 1.6701700765193322e-8,
      'BLEU-3': 1.6701700767976945e-9,
      'BLEU-4': 5.281541522979181e-10,
      'ROUGE-L': 0.1334792122538293,
      'CIDEr-D': 0.08222196743868007,
    },
    '1000344755.jpg': {
      'BLEU-1': 0.9999999998333334,
      'BLEU-2': 0.9045340335791091,
      'BLEU-3': 0.7888607681609373,
      'BLEU-4': 0.6834466814090656,
      'ROUGE-L': 0.7942708333333333,
      'CIDEr-D': 2.6078813821550035,
    },
    '1000366164.jpg': {
      'BLEU-1': 0.0,
      'BLEU-2': 0.0,
      'BLEU-3': 0.0,
      'BLEU-4': 0.0,
      'ROUGE-L': 0.0,
      'CIDEr-D': 0.0,
    },
  },
};
