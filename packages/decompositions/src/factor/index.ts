// Public API of this family; each file's exports are listed here.
export {};
