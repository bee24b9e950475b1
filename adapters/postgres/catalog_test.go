package postgres

func init() {
	listStatement("categories", listCategoriesSQL, int64(10))
	listStatement("products", listProductsSQL, int64(10))
	listStatement("products of a category", listProductsInCategorySQL, int64(3), int64(10))
}
