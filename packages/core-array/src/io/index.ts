// Public API of this module family; each file's exports are listed here.
export {};
